import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {BIN, REPO_ROOT} from '../helpers/cli.js'
import {tempDir} from '../helpers/tmp.js'

/** Heavy modules the CLI must load only inside the commands that need them. */
const HEAVY = [
  '/@aws-sdk/',
  '/esbuild/',
  '/handlebars/',
  '/dynalite/',
  '/@inquirer/',
  '/ws/',
  '/yaml/',
  '/typescript/',
  '/prettier/',
]

function modulesLoadedBy(args: string[]): string[] {
  const log = join(tempDir(), 'modules.log')
  // spawnSync: a command that fails (connect to a closed port) still shows what it loaded.
  spawnSync(process.execPath, ['--require', join(REPO_ROOT, 'test/helpers/module-log.cjs'), BIN, ...args], {
    cwd: tempDir(),
    env: {...process.env, WSAPI_MODULE_LOG: log},
    stdio: 'ignore',
  })
  return readFileSync(log, 'utf8').split('\n').filter(Boolean)
}

describe('start-up', () => {
  for (const args of [
    ['--version'],
    ['--help'],
    ['init', '--help'],
    ['build', '--help'],
    ['dev', '--help'],
    ['connect', '--help'],
    ['deploy', '--help'],
    ['destroy', '--help'],
    ['status', '--help'],
    ['bench', '--help'],
  ]) {
    it(`wsapi ${args.join(' ')} loads no heavy module`, () => {
      const loaded = modulesLoadedBy(args)
      assert.ok(
        loaded.some((path) => path.endsWith('/dist/src/ui/oclif-core.cjs')),
        'the module log works, and oclif comes from its bundle',
      )
      const heavy = loaded.filter((path) => HEAVY.some((fragment) => path.includes(`/node_modules${fragment}`)))
      assert.deepEqual(heavy, [])
    })
  }

  it('the module log sees heavy modules when a command loads them (the check can fail)', () => {
    const dir = tempDir()
    execFileSync(process.execPath, [BIN, 'init', join(dir, 'p'), '--yes'], {stdio: 'ignore'})
    const loaded = modulesLoadedBy(['build', '--dir', join(dir, 'p')])
    assert.ok(loaded.some((path) => path.includes('/node_modules/esbuild/')))
    assert.ok(loaded.some((path) => path.includes('/node_modules/yaml/')))
  })

  it('wsapi connect loads ws only when it connects, and no YAML parser outside a project', () => {
    const loaded = modulesLoadedBy(['connect', 'ws://127.0.0.1:9/v1', '-x', 'hi'])
    assert.ok(loaded.some((path) => path.includes('/node_modules/ws/')))
    assert.ok(!loaded.some((path) => path.includes('/node_modules/yaml/')))
  })
})
