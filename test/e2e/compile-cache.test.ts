import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {compileCacheDirectory} from '../../src/startup/compile-cache.js'
import {BIN, REPO_ROOT} from '../helpers/cli.js'
import {tempDir} from '../helpers/tmp.js'

interface Stats {
  compiled: number
  fromCache: number
  skipped: number
  written: number
}

interface Run {
  output: unknown
  stats: Stats | undefined
  stderr: string
}

/** Runs `main` (a CommonJS module) in a fresh Node with the cache on; returns what it printed and the cache's counts. */
function runWithCache(main: string, env: NodeJS.ProcessEnv = {}): Run {
  // The built module (as bin/run.js loads it), in a Node without tsx's own module hooks.
  const runner = `import {enableCompileCache} from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/src/startup/compile-cache.js')).href)}
import {createRequire} from 'node:module'
enableCompileCache()
const value = await createRequire(import.meta.url)(${JSON.stringify(main)}).value()
console.log(JSON.stringify(value))`
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', runner], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {...process.env, WSAPI_COMPILE_CACHE_DEBUG: '1', ...env},
  })
  assert.equal(result.status, 0, result.stderr)
  const line = /^compile cache: (.*)$/m.exec(result.stderr)
  return {
    output: JSON.parse(result.stdout),
    stats: line ? (JSON.parse(line[1]) as Stats) : undefined,
    stderr: result.stderr,
  }
}

function project(): {cache: string; dir: string; env: NodeJS.ProcessEnv; main: string} {
  const dir = tempDir()
  const cache = join(dir, 'cache')
  writeFileSync(
    join(dir, 'main.cjs'),
    `const helper = require('./helper.cjs')
const self = this
module.exports = {value: async () => ({
  dirname: __dirname,
  filename: __filename,
  helper: helper.greet('cache'),
  resolved: require.resolve('./helper.cjs'),
  thisIsExports: self === exports,
})}
`,
  )
  writeFileSync(join(dir, 'helper.cjs'), `exports.greet = (name) => 'hello ' + name`)
  return {cache, dir, env: {WSAPI_COMPILE_CACHE_DIR: cache}, main: join(dir, 'main.cjs')}
}

/** The compile cache as bin/run.js uses it: the built module, in fresh Node processes. */
describe('compile cache (built, in fresh Node processes)', () => {
  it('compiles and stores on the first run, runs from the cache on the next, with the same results', () => {
    const {cache, dir, env, main} = project()
    const expected = {
      dirname: dir,
      filename: main,
      helper: 'hello cache',
      resolved: join(dir, 'helper.cjs'),
      thisIsExports: true,
    }
    const first = runWithCache(main, env)
    assert.deepEqual(first.output, expected)
    assert.deepEqual(first.stats, {
      compiled: 2,
      directory: compileCacheDirectory(env),
      fromCache: 0,
      skipped: 0,
      written: 2,
    })
    const second = runWithCache(main, env)
    assert.deepEqual(second.output, expected)
    assert.deepEqual(second.stats, {
      compiled: 0,
      directory: compileCacheDirectory(env),
      fromCache: 2,
      skipped: 0,
      written: 0,
    })
    // Private to the user: the folder 0700, each entry 0600.
    const folder = compileCacheDirectory(env)
    assert.equal(statSync(folder).mode & 0o777, 0o700)
    for (const entry of readdirSync(folder)) assert.equal(statSync(join(folder, entry)).mode & 0o777, 0o600)
    assert.ok(folder.startsWith(cache))
  })

  it('an edited module is compiled again; the unchanged one still comes from the cache', () => {
    const {dir, env, main} = project()
    runWithCache(main, env)
    writeFileSync(join(dir, 'helper.cjs'), `exports.greet = (name) => 'bye ' + name`)
    const run = runWithCache(main, env)
    assert.equal((run.output as {helper: string}).helper, 'bye cache')
    assert.equal(run.stats?.compiled, 1)
    assert.equal(run.stats?.fromCache, 1)
  })

  it('a corrupt entry is rejected, the module compiled from source and the entry replaced', () => {
    const {env, main} = project()
    runWithCache(main, env)
    const folder = compileCacheDirectory(env)
    for (const entry of readdirSync(folder)) writeFileSync(join(folder, entry), 'not V8 code cache data')
    const run = runWithCache(main, env)
    assert.equal((run.output as {helper: string}).helper, 'hello cache')
    assert.deepEqual([run.stats?.compiled, run.stats?.fromCache, run.stats?.written], [2, 0, 2])
    assert.equal(runWithCache(main, env).stats?.fromCache, 2)
  })

  it('leaves modules with a dynamic import() or a hashbang to Node, and they still work', () => {
    const {dir, env} = project()
    const main = join(dir, 'dynamic.cjs')
    writeFileSync(main, `module.exports = {value: async () => (await import('node:path')).sep}`)
    const hashbang = join(dir, 'tool.cjs')
    writeFileSync(hashbang, `#!/usr/bin/env node\nmodule.exports = {value: async () => 'tool'}`)
    const dynamic = runWithCache(main, env)
    assert.equal(dynamic.output, '/')
    assert.deepEqual([dynamic.stats?.skipped, dynamic.stats?.compiled], [1, 0])
    assert.equal(runWithCache(hashbang, env).stats?.skipped, 1)
  })

  it('a cache folder it cannot create or write costs nothing but the cache', () => {
    const {dir, main} = project()
    const blocker = join(dir, 'a-file')
    writeFileSync(blocker, '')
    const run = runWithCache(main, {WSAPI_COMPILE_CACHE_DIR: join(blocker, 'cache')})
    assert.equal((run.output as {helper: string}).helper, 'hello cache')
    assert.equal(run.stats, undefined)
    if (process.getuid?.() !== 0) {
      // Root writes anywhere; elsewhere a read-only folder must not break the run either.
      const readOnly = join(dir, 'read-only')
      const env = {WSAPI_COMPILE_CACHE_DIR: readOnly}
      runWithCache(main, env)
      chmodSync(compileCacheDirectory(env), 0o500)
      writeFileSync(join(dir, 'helper.cjs'), `exports.greet = (name) => 'hi ' + name`)
      assert.equal((runWithCache(main, env).output as {helper: string}).helper, 'hi cache')
    }
  })

  it('WSAPI_COMPILE_CACHE=0 turns it off', () => {
    const {env, main} = project()
    const run = runWithCache(main, {...env, WSAPI_COMPILE_CACHE: '0'})
    assert.equal((run.output as {helper: string}).helper, 'hello cache')
    assert.equal(run.stats, undefined)
  })

  it('the built CLI runs oclif from its bundle through the cache: every module of `wsapi --version` cached', () => {
    const env = {...process.env, WSAPI_COMPILE_CACHE_DEBUG: '1', WSAPI_COMPILE_CACHE_DIR: join(tempDir(), 'cache')}
    const first = spawnSync(process.execPath, [BIN, '--version'], {encoding: 'utf8', env})
    const second = spawnSync(process.execPath, [BIN, '--version'], {encoding: 'utf8', env})
    assert.equal(second.stdout, first.stdout)
    assert.match(second.stdout, /^wsapi\/\d/)
    const stats = (run: {stderr: string}) => JSON.parse(/^compile cache: (.*)$/m.exec(run.stderr)![1]) as Stats
    assert.ok(stats(first).written >= 1, first.stderr)
    assert.deepEqual([stats(second).compiled, stats(second).skipped], [0, 0], second.stderr)
    assert.ok(stats(second).fromCache >= 1)
  })

  it('the built loader exports what src/ui/oclif.ts does', async () => {
    const source = await import('../../src/ui/oclif.js')
    const built = await import(pathToFileURL(join(REPO_ROOT, 'dist/src/ui/oclif.js')).href)
    assert.deepEqual(Object.keys(built).sort(), Object.keys(source).sort())
    assert.equal(typeof built.execute, 'function')
  })
})
