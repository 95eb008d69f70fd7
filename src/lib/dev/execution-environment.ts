import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {createInterface} from 'node:readline'
import {pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'

import type {FromWorker, MemoryUse, WorkerError, WorkerSetup} from './function-worker.js'

/**
 * The dev server's side of one Lambda execution environment: starting the worker thread that runs a function's
 * handler (function-worker.ts is the thread's side) and turning what the thread says and does (ready, init error,
 * console and stdout lines, results, errors, running out of memory, exiting) into outcomes. Which invocation runs
 * where, and when, is invoker.ts's.
 */

/** How an invocation ended. */
export type Outcome =
  | {ok: true; /** The handler's result, as Lambda returns it (JSON). */ payload: unknown}
  | {
      error: WorkerError
      ok: false
      /** Why: the handler threw, ran out of time, its environment died, or Lambda refused the invocation (TooManyRequestsException). */
      reason: 'crash' | 'error' | 'throttled' | 'timeout'
    }

/** Everything a function's environments need; a new one replaces the code (hot reload). */
export interface FunctionCode {
  env: Record<string, string>
  setup: WorkerSetup
  /** The function's ReservedConcurrentExecutions, if set: Lambda never runs more at once, and refuses the rest. */
  reservedConcurrency?: number
  /** The function's Timeout. */
  timeoutMs: number
}

export interface LogLine {
  level: string
  text: string
}

/** One environment; `Job` is what its runner keeps of the invocation it runs. */
export interface Environment<Job> {
  /** Why its handler failed to load (the module threw or lacks the handler). */
  initError?: WorkerError
  /** The invocation it runs, if any: `id` matches the worker's answer to it. */
  busy?: {id: number; pending: Job; started: number; timer: NodeJS.Timeout}
  code: FunctionCode
  /** True once the handler is loaded; false if loading failed or the environment ended first. */
  ready: Promise<boolean>
  worker: Worker
}

export interface EnvironmentEvents {
  /** The environment ended (the thread exited); `error` says why, for an invocation it was running. */
  onExit(error: WorkerError): void
  /** A line the handler wrote (console, process.stdout, process.stderr), or one about the environment. */
  onLog(line: LogLine): void
  /** The running invocation ended; `reuse` false when the environment cannot take another. */
  onOutcome(outcome: Outcome, reuse?: boolean): void
}

const FROM_SOURCES = import.meta.url.endsWith('.ts')
const WORKER_URL = new URL(`./function-worker${FROM_SOURCES ? '.ts' : '.js'}`, import.meta.url)

const MB = 1024 * 1024

/** What Lambda reports for a sandbox over its MemorySize, with what the environment held. */
function outOfMemoryError(memorySize: number, use: MemoryUse): WorkerError {
  const used = Math.ceil((use.heap + use.external) / MB)
  return {
    errorMessage: `Runtime exited with error: signal: killed (${used} MB in use, MemorySize ${memorySize} MB: JS heap ${Math.round(use.heap / MB)} MB, Buffers and other external memory ${Math.round(use.external / MB)} MB)`,
    errorType: 'Runtime.OutOfMemory',
  }
}

/** The worker's entry. Run from the TypeScript sources (bin/dev.js, tests), it registers tsx first. */
function workerEntry(): {eval: boolean; source: string | URL} {
  if (!FROM_SOURCES) return {eval: false, source: WORKER_URL}
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  const tsx = JSON.stringify(pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href)
  return {
    eval: true,
    source: `import(${tsx}).then(({register}) => { register(); return import(${JSON.stringify(WORKER_URL.href)}) })`,
  }
}

/** Starts an environment on `code`: a cold start, whose handler loads while the caller goes on. */
export function startEnvironment<Job>(code: FunctionCode, events: EnvironmentEvents): Environment<Job> {
  const entry = workerEntry()
  const worker = new Worker(entry.source, {
    env: code.env,
    eval: entry.eval,
    resourceLimits: {maxOldGenerationSizeMb: Math.max(64, code.setup.memorySize)},
    // The handler's own process.stdout/stderr writes: logged line by line like its console lines (Lambda sends both
    // to CloudWatch), never written raw to wsapi's stdout, which carries --json.
    stderr: true,
    stdout: true,
    workerData: code.setup,
  })
  let settleReady: (ok: boolean) => void = () => {}
  const environment: Environment<Job> = {code, ready: new Promise((resolve) => (settleReady = resolve)), worker}
  for (const [stream, level] of [
    [worker.stdout, 'INFO'],
    [worker.stderr, 'ERROR'],
  ] as const) {
    createInterface({crlfDelay: Number.POSITIVE_INFINITY, input: stream}).on('line', (text) =>
      events.onLog({level, text}),
    )
  }

  let initError: WorkerError | undefined
  let outOfMemory: WorkerError | undefined
  worker.on('message', (message: FromWorker) => {
    switch (message.type) {
      case 'ready': {
        settleReady(true)
        break
      }

      case 'init-error': {
        // Reported once: by the invocation it fails (its log line carries the stack), or by warm()/load().
        initError = message.error
        environment.initError = message.error
        settleReady(false)
        events.onOutcome({error: message.error, ok: false, reason: 'crash'}, false)
        void worker.terminate()
        break
      }

      case 'log': {
        events.onLog(message)
        break
      }

      case 'out-of-memory': {
        outOfMemory = outOfMemoryError(code.setup.memorySize, message.use)
        // Between invocations nobody else would hear of it.
        if (!environment.busy)
          events.onLog({level: 'ERROR', text: `${outOfMemory.errorType}: ${outOfMemory.errorMessage}`})
        break
      }

      case 'result': {
        if (environment.busy?.id === message.id) events.onOutcome({ok: true, payload: JSON.parse(message.payload)})
        break
      }

      case 'error': {
        if (environment.busy?.id === message.id) events.onOutcome({error: message.error, ok: false, reason: 'error'})
        break
      }
    }
  })
  worker.on('error', (error) => {
    // An uncaught exception or unhandled rejection ends the environment, as it ends Lambda's runtime.
    const errorType =
      (error as {code?: string}).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'Runtime.OutOfMemory' : 'Runtime.UnhandledError'
    events.onOutcome({error: {errorMessage: error.message, errorType, stack: error.stack}, ok: false, reason: 'crash'})
  })
  worker.on('exit', (exitCode) => {
    settleReady(false)
    events.onExit(
      initError ??
        outOfMemory ?? {
          errorMessage: `Runtime exited with error: exit status ${exitCode}`,
          errorType: 'Runtime.ExitError',
        },
    )
  })
  return environment
}
