import assert from 'node:assert/strict'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {DevProcess, startDev} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'
import {tempDir} from '../helpers/tmp.js'

const record = (dir: string, pid: number) => join(dir, '.wsapi', 'dev', `${pid}.json`)

describe('wsapi dev: several servers of one project, --persist and --parameter', function () {
  this.timeout(120_000)
  const running: DevProcess[] = []
  after(async () => {
    for (const dev of running) await dev.stop('SIGKILL')
  })

  it('two dev servers of one project coexist: connect picks the one started last and says so; stopping one keeps the other findable', async () => {
    const dir = scaffoldProject()
    const first = await startDev(dir)
    running.push(first)
    const second = await startDev(dir)
    running.push(second)
    assert.ok(existsSync(record(dir, first.ready.pid)) && existsSync(record(dir, second.ready.pid)))

    const both = await runCli(['connect', '-x', 'hello', '--json'], {cwd: dir})
    assert.equal(both.code, 0, both.stderr)
    assert.match(
      both.stderr,
      new RegExp(
        `2 wsapi dev servers run in this project: using the one started last \\(pid ${second.ready.pid}, ${second.ready.url}\\); pid ${first.ready.pid} serves ${first.ready.url}`,
      ),
    )

    assert.equal(await second.stop('SIGINT'), 0)
    assert.equal(existsSync(record(dir, second.ready.pid)), false)
    assert.equal(existsSync(record(dir, first.ready.pid)), true, "the first server's record survives the second's exit")
    const one = await runCli(
      ['connect', '-x', '{"message":"sendmessage","data":"still here"}', '--count', '1', '--verbose'],
      {cwd: dir},
    )
    assert.equal(one.code, 0, one.stderr)
    assert.ok(one.stderr.includes(`Connected to ${first.ready.url} (wsapi dev)`), one.stderr)
    assert.doesNotMatch(one.stderr, /dev servers run/)
    assert.match(one.stdout, /still here/)
    assert.equal(await first.stop('SIGINT'), 0)
    assert.equal(existsSync(join(dir, '.wsapi', 'dev')), false)
  })

  it('--persist at a file, at a folder another dev server uses, or where nothing can be written: one line naming the path and why, exit 2', async () => {
    const dir = scaffoldProject()
    const file = join(tempDir(), 'data.txt')
    writeFileSync(file, 'not a folder')
    const onFile = await runCli(['dev', '--dir', dir, '--port', '0', '--persist', file])
    assert.equal(onFile.code, 2, onFile.stderr)
    assert.equal(
      onFile.stderr.trim(),
      `Error: --persist ${file}: not a folder (give a folder; it is created if missing).`,
    )

    const unwritable = await runCli(['dev', '--dir', dir, '--port', '0', '--persist', '/proc/nope'])
    assert.equal(unwritable.code, 2, unwritable.stderr)
    assert.match(
      unwritable.stderr.trim(),
      /^Error: --persist \/proc\/nope: cannot create the folder \(\w+\): pick a folder you can write\.$/,
    )

    const data = join(tempDir(), 'data')
    mkdirSync(data)
    const owner = await startDev(dir, ['--persist', data])
    running.push(owner)
    const other = scaffoldProject()
    const inUse = await runCli(['dev', '--dir', other, '--port', '0', '--persist', data])
    assert.equal(inUse.code, 2, inUse.stderr)
    assert.equal(
      inUse.stderr.trim(),
      `Error: --persist ${data}: in use by the dev server with pid ${owner.ready.pid}: stop it, or pick another folder.`,
    )
    assert.equal(await owner.stop('SIGINT'), 0)

    // Free again once its server stopped.
    const reused = await startDev(other, ['--persist', data])
    running.push(reused)
    assert.equal(await reused.stop('SIGINT'), 0)
  })

  it('--parameter values are checked against the template constraints, as deploy checks them: exit 2', async () => {
    const dir = scaffoldProject({auth: 'token'})
    const result = await runCli(['dev', '--dir', dir, '--port', '0', '--parameter', 'AuthTokenSecret=short'])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr.trim(), /^Error: Invalid --parameter AuthTokenSecret\b.*at least 16 characters/)
    assert.doesNotMatch(result.stderr, /short/, 'a secret value is never repeated')
  })
})
