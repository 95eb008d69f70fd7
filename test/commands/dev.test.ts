import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {BIN, REPO_ROOT, runCli} from '../helpers/cli.js'
import {tempDir} from '../helpers/tmp.js'

const HEAVY = ['/@aws-sdk/', '/esbuild/', '/handlebars/', '/dynalite/', '/@inquirer/', '/ws/', '/yaml/']

describe('wsapi dev (command)', () => {
  it('--help documents the flags and loads no heavy module', async () => {
    const log = join(tempDir(), 'modules.log')
    execFileSync(
      process.execPath,
      ['--require', join(REPO_ROOT, 'test/helpers/module-log.cjs'), BIN, 'dev', '--help'],
      {env: {...process.env, WSAPI_MODULE_LOG: log}, stdio: 'ignore'},
    )
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean)
    assert.ok(loaded.some((path) => path.endsWith('/dist/src/ui/oclif-core.cjs')))
    assert.deepEqual(
      loaded.filter((path) => HEAVY.some((fragment) => path.includes(`/node_modules${fragment}`))),
      [],
    )
    const help = await runCli(['dev', '--help'])
    for (const flag of [
      '--port',
      '--host',
      '--parameter',
      '--persist',
      '--idle-timeout',
      '--max-duration',
      '--integration-timeout',
      '--latency',
      '--latency-dynamodb',
      '--concurrency',
      '--queue',
      '--[no-]watch',
      '--json',
    ]) {
      assert.ok(help.stdout.includes(flag), flag)
    }
  })

  it('outside a project: one line saying what to do, exit 2', async () => {
    const result = await runCli(['dev', '--dir', tempDir(), '--port', '0'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^Error: No template\.yaml in .*wsapi init/)
  })
})
