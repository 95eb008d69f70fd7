// A V8 code cache for the CommonJS modules the CLI loads (oclif, ws, the AWS SDK, esbuild's JS side).
// Compiling them is a third of `wsapi connect`'s start-up; with the cache a run deserialises instead.
// Node ≥ 22.1 has this built in (module.enableCompileCache), which is used when present; Node 20 does not.
//
// Safety: one entry per (file, content, Node build), written atomically under the user's own cache folder
// (mode 0700, never a shared temp folder), and V8 itself rejects data from another V8 version. Any failure
// (unwritable home, corrupt entry) falls back to a normal compile. WSAPI_COMPILE_CACHE=0 turns it off;
// WSAPI_COMPILE_CACHE_DEBUG=1 prints what it did on stderr at exit.
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import Module, {createRequire} from 'node:module'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'
import {Script} from 'node:vm'

export interface CompileCacheStats {
  directory: string
  /** Modules compiled from source (no entry, or the entry was rejected). */
  compiled: number
  /** Modules run from a cache entry V8 accepted. */
  fromCache: number
  /** Modules left to Node's own loader (see `cacheable`). */
  skipped: number
  written: number
}

type CompileFunction = (this: NodeJS.Module, content: string, filename: string) => unknown
interface ModuleInternals {
  prototype: {_compile: CompileFunction}
  wrap(content: string): string
}

export function compileCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.WSAPI_COMPILE_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'wsapi', 'compile-cache')
  // V8 rejects another version's data anyway; separate folders keep one upgrade from churning another's entries.
  return join(base, `${process.version}-${process.arch}`)
}

/**
 * A dynamic `import(` in code: not a method or property named import, not inside a quoted string's first
 * character. It may also match in a comment or the middle of a string, which only makes a file uncacheable.
 */
export const DYNAMIC_IMPORT = /(^|[^\w$.'"`])import\s*\(/m

/**
 * Whether a module can be compiled through vm.Script here. A dynamic `import()` inside a vm.Script needs an
 * experimental Node 20 option (and loses its loader when the script comes from cached data), and a hashbang or
 * BOM can't sit inside the CommonJS wrapper: those files are left to Node.
 */
export function cacheable(content: string): boolean {
  return !content.startsWith('#!') && !content.startsWith('\uFEFF') && !DYNAMIC_IMPORT.test(content)
}

let installed: CompileCacheStats | undefined

/** Installs the cache for modules loaded from now on; returns live counts (undefined when turned off). */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): CompileCacheStats | undefined {
  if (env.WSAPI_COMPILE_CACHE === '0') return undefined
  if (installed) return installed
  const directory = compileCacheDirectory(env)
  const stats: CompileCacheStats = {compiled: 0, directory, fromCache: 0, skipped: 0, written: 0}
  const builtIn = (Module as unknown as {enableCompileCache?: (directory: string) => unknown}).enableCompileCache
  if (typeof builtIn === 'function') {
    builtIn(directory)
    installed = stats
    return stats
  }

  try {
    mkdirSync(directory, {mode: 0o700, recursive: true})
  } catch {
    return undefined
  }

  const internals = Module as unknown as ModuleInternals
  const compile = internals.prototype._compile
  const fresh: Array<{file: string; script: Script}> = []
  internals.prototype._compile = function (this: NodeJS.Module, content: string, filename: string) {
    if (!cacheable(content)) {
      stats.skipped++
      return compile.call(this, content, filename)
    }

    const file = join(
      directory,
      createHash('sha256').update(filename).update('\0').update(content).digest('hex').slice(0, 40),
    )
    let cachedData: Buffer | undefined
    try {
      cachedData = readFileSync(file)
    } catch {}

    const script = new Script(internals.wrap(content), {cachedData, filename})
    if (cachedData && !script.cachedDataRejected) stats.fromCache++
    else {
      stats.compiled++
      fresh.push({file, script})
    }

    const wrapper = script.runInThisContext({displayErrors: true}) as (...args: unknown[]) => unknown
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename))
  }

  // Written at exit, after the run, so that the data holds the functions the run actually compiled.
  process.once('exit', () => {
    for (const {file, script} of fresh) {
      try {
        const temporary = `${file}.${process.pid}.tmp`
        writeFileSync(temporary, script.createCachedData(), {mode: 0o600})
        renameSync(temporary, file)
        stats.written++
      } catch {
        break
      }
    }

    if (env.WSAPI_COMPILE_CACHE_DEBUG) process.stderr.write(`compile cache: ${JSON.stringify(stats)}\n`)
  })
  installed = stats
  return stats
}
