import {type ChildProcess, spawn} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = join(REPO_ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number | null
  stderr: string
  stdout: string
}

export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  input?: string
  timeoutMs?: number
}

/** Runs the built CLI (bin/run.js) as a user would, with stdin a pipe (not a TTY). */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: {...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`wsapi ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stderr, stdout})
    })
    child.stdin.end(options.input ?? '')
  })
}

/** The built CLI, running: its output so far, a wait for what it prints, and its result once it exits. */
export interface RunningCli {
  readonly child: ChildProcess
  /** The run's result once it exits (rejects past the time limit, after killing it). */
  readonly result: Promise<CliResult>
  readonly stderr: string
  readonly stdout: string
  /** Resolves once the output so far satisfies `check`; rejects, with the output, when the CLI exits first. */
  until(check: (output: {stderr: string; stdout: string}) => boolean): Promise<void>
}

/** Starts the built CLI like runCli, for a test that acts on what it prints while it runs; stdin stays open. */
export function startCli(args: string[], options: Omit<RunOptions, 'input'> = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: {...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...options.env},
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const output = {stderr: '', stdout: ''}
  const watchers = new Set<() => void>()
  const changed = () => {
    for (const watcher of watchers) watcher()
  }

  child.stdout.on('data', (chunk) => {
    output.stdout += chunk
    changed()
  })
  child.stderr.on('data', (chunk) => {
    output.stderr += chunk
    changed()
  })
  const result = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`wsapi ${args.join(' ')} timed out\nstdout: ${output.stdout}\nstderr: ${output.stderr}`))
    }, options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, ...output})
    })
  })
  // A test that only waits with until() still sees a failure to start or a timeout there.
  result.catch(() => {})
  let exited = false
  void result
    .finally(() => {
      exited = true
      changed()
    })
    .catch(() => {})
  return {
    child,
    result,
    get stderr() {
      return output.stderr
    },
    get stdout() {
      return output.stdout
    },
    until(check) {
      return new Promise((resolve, reject) => {
        const watcher = () => {
          if (check(output)) {
            watchers.delete(watcher)
            resolve()
          } else if (exited) {
            watchers.delete(watcher)
            reject(
              new Error(`wsapi ${args.join(' ')} exited first\nstdout: ${output.stdout}\nstderr: ${output.stderr}`),
            )
          }
        }

        watchers.add(watcher)
        watcher()
      })
    },
  }
}
