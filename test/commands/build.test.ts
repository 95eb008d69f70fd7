import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {scaffoldProject} from '../helpers/project.js'
import {tempDir} from '../helpers/tmp.js'

describe('wsapi build', function () {
  this.timeout(60_000)

  it('prints each artifact and its size', async () => {
    const dir = scaffoldProject()
    const result = await runCli(['build'], {cwd: dir})
    assert.equal(result.code, 0, result.stderr)
    for (const fn of [
      'ConnectFunction',
      'DisconnectFunction',
      'SendmessageFunction',
      'DefaultFunction',
      'FanoutFunction',
    ]) {
      assert.match(
        result.stdout,
        new RegExp(`${fn} +src/handlers/\\S+\\.ts +[\\d.]+ (B|KB) +[\\d.]+ (B|KB) +[0-9a-f]{12}`),
      )
    }

    assert.match(result.stdout, /Built 5 functions → \.wsapi\/build\/template\.json/)
  })

  it('--json gives the artifacts', async () => {
    const dir = scaffoldProject()
    const result = await runCli(['build', '--dir', dir, '--json'])
    assert.equal(result.code, 0, result.stderr)
    const json = JSON.parse(result.stdout)
    assert.equal(json.functions.length, 5)
    // The key `wsapi deploy` uploads to for the stack <project>-<stage>; no zip bytes in the JSON.
    assert.match(json.functions[0].s3Key, /^chat-v1\/[0-9a-f]{64}\.zip$/)
    assert.equal(json.functions[0].zip, undefined)
    const prod = JSON.parse(
      (await runCli(['build', '--dir', dir, '--stage', 'prod', '--json', '--no-typecheck'])).stdout,
    )
    assert.equal(prod.functions[0].s3Key, `chat-prod/${json.functions[0].sha256}.zip`)
  })

  it('type-checks the handlers and stops on a type error; --no-typecheck builds anyway', async () => {
    const dir = scaffoldProject()
    const handler = join(dir, 'src/handlers/connect.ts')
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const n: number = 'str'\n`)
    const line =
      readFileSync(handler, 'utf8')
        .split('\n')
        .findIndex((text) => text.includes("'str'")) + 1
    const checked = await runCli(['build'], {cwd: dir})
    assert.equal(checked.code, 1, checked.stdout)
    assert.equal(
      checked.stderr,
      `Error: 1 type error in the handlers (fix them, or pass --no-typecheck to build anyway):\nsrc/handlers/connect.ts:${line}:14: error: Type 'string' is not assignable to type 'number'. (TS2322)\n`,
    )
    assert.ok(!existsSync(join(dir, '.wsapi/build/template.json')), 'nothing built')

    const unchecked = await runCli(['build', '--no-typecheck'], {cwd: dir})
    assert.equal(unchecked.code, 0, unchecked.stderr)
    assert.ok(existsSync(join(dir, '.wsapi/build/template.json')))
  })

  it('reports a handler that does not compile with file:line and exits 1', async () => {
    const dir = scaffoldProject()
    const handler = join(dir, 'src/handlers/connect.ts')
    writeFileSync(handler, readFileSync(handler, 'utf8').replace('return {statusCode: 200}', 'return {statusCode: 200'))
    const result = await runCli(['build'], {cwd: dir})
    assert.equal(result.code, 1)
    assert.match(result.stderr, /src\/handlers\/connect\.ts:\d+:\d+: error: \S/)
  })

  it('exits 2 with a clear message outside a project, and for a broken template', async () => {
    const outside = await runCli(['build'], {cwd: tempDir()})
    assert.equal(outside.code, 2)
    assert.match(outside.stderr, /No template\.yaml in .*wsapi init/)

    const dir = scaffoldProject()
    writeFileSync(
      join(dir, 'template.yaml'),
      readFileSync(join(dir, 'template.yaml'), 'utf8').replace(
        'Code: src/handlers/default.ts',
        'Code: src/handlers/nope.ts',
      ),
    )
    const broken = await runCli(['build'], {cwd: dir})
    assert.equal(broken.code, 2)
    assert.match(
      broken.stderr,
      /function DefaultFunction \(route \$default\): Code path src\/handlers\/nope\.ts does not exist/,
    )
  })
})
