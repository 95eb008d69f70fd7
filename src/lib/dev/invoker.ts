import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'

import type {FromWorker, ToWorker, WorkerError, WorkerSetup} from './function-worker.js'

export type {WorkerError} from './function-worker.js'

type Outcome =
  | {ok: true; /** The handler's result, as Lambda returns it (JSON). */ payload: unknown}
  | {error: WorkerError; ok: false; /** Why: the handler threw, ran out of time, or its environment died. */ reason: 'crash' | 'error' | 'timeout'}

export type InvokeResult = Outcome & {durationMs: number}

/** Everything a function's environments need; a new one replaces the code (hot reload). */
export interface FunctionCode {
  env: Record<string, string>
  setup: WorkerSetup
  /** The function's Timeout. */
  timeoutMs: number
}

export interface LogLine {
  level: string
  text: string
}

interface Pending {
  event: string
  requestId: string
  resolve: (result: InvokeResult) => void
}

interface Environment {
  busy?: {id: number; pending: Pending; started: number; timer: NodeJS.Timeout}
  code: FunctionCode
  ready: Promise<boolean>
  worker: Worker
}

/** Lambda's limit on a cold start's Init phase (loading the handler module), not counted in the Timeout. */
const INIT_LIMIT_MS = 10_000

const FROM_SOURCES = import.meta.url.endsWith('.ts')
const WORKER_URL = new URL(`./function-worker${FROM_SOURCES ? '.ts' : '.js'}`, import.meta.url)

/** The worker's entry. Run from the TypeScript sources (bin/dev.js, tests), it registers tsx first. */
function workerEntry(): {eval: boolean; source: string | URL} {
  if (!FROM_SOURCES) return {eval: false, source: WORKER_URL}
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  const tsx = JSON.stringify(pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href)
  return {eval: true, source: `import(${tsx}).then(({register}) => { register(); return import(${JSON.stringify(WORKER_URL.href)}) })`}
}

/**
 * A function's execution environments: worker threads, each running one invocation at a time, up to
 * `concurrency` of them, created on demand (a cold start) and kept warm. A handler that throws, hangs past
 * its Timeout, exits or crashes costs only its own environment.
 */
export class FunctionRuntime {
  private code: FunctionCode
  private readonly environments = new Set<Environment>()
  private readonly idle: Environment[] = []
  private nextId = 1
  private readonly queue: Pending[] = []
  private closed = false

  constructor(
    code: FunctionCode,
    private readonly options: {concurrency: number; onLog: (line: LogLine, requestId: string | undefined) => void},
  ) {
    this.code = code
  }

  /** Runs the handler on `event` (already JSON, as Lambda receives it). Never rejects. */
  invoke(event: string, requestId: string): Promise<InvokeResult> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve({durationMs: 0, error: {errorMessage: 'The dev server is stopping', errorType: 'Runtime.Stopped'}, ok: false, reason: 'crash'})
        return
      }

      this.queue.push({event, requestId, resolve})
      this.dispatch()
    })
  }

  /** Starts one environment with the current code and waits until its handler is loaded; false if loading failed. */
  async warm(): Promise<boolean> {
    if (this.idle.some((environment) => environment.code === this.code)) return true
    const environment = this.spawn()
    this.idle.push(environment)
    return environment.ready
  }

  /** New code for new invocations; running ones finish on the old code, idle old environments stop. */
  update(code: FunctionCode): void {
    this.code = code
    for (const environment of this.idle.splice(0)) this.retire(environment)
  }

  get size(): number {
    return this.environments.size
  }

  async close(): Promise<void> {
    this.closed = true
    for (const pending of this.queue.splice(0)) {
      pending.resolve({durationMs: 0, error: {errorMessage: 'The dev server is stopping', errorType: 'Runtime.Stopped'}, ok: false, reason: 'crash'})
    }

    await Promise.all([...this.environments].map((environment) => this.retire(environment)))
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let environment = this.idle.pop()
      while (environment && environment.code !== this.code) {
        this.retire(environment)
        environment = this.idle.pop()
      }

      if (!environment) {
        if (this.environments.size >= this.options.concurrency) return
        environment = this.spawn()
      }

      this.run(environment, this.queue.shift()!)
    }
  }

  private spawn(): Environment {
    const code = this.code
    const entry = workerEntry()
    const worker = new Worker(entry.source, {
      env: code.env,
      eval: entry.eval,
      resourceLimits: {maxOldGenerationSizeMb: Math.max(64, code.setup.memorySize)},
      workerData: code.setup,
    })
    let settleReady: (ok: boolean) => void = () => {}
    const environment: Environment = {code, ready: new Promise((resolve) => (settleReady = resolve)), worker}
    let initError: WorkerError | undefined
    this.environments.add(environment)
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready': {
          settleReady(true)
          break
        }

        case 'init-error': {
          initError = message.error
          this.options.onLog({level: 'ERROR', text: `${message.error.errorType}: ${message.error.stack ?? message.error.errorMessage}`}, environment.busy?.pending.requestId)
          settleReady(false)
          this.finish(environment, {error: message.error, ok: false, reason: 'crash'}, false)
          void worker.terminate()
          break
        }

        case 'log': {
          this.options.onLog(message, environment.busy?.pending.requestId)
          break
        }

        case 'result': {
          if (environment.busy?.id === message.id) this.finish(environment, {ok: true, payload: JSON.parse(message.payload)})
          break
        }

        case 'error': {
          if (environment.busy?.id === message.id) this.finish(environment, {error: message.error, ok: false, reason: 'error'})
          break
        }
      }
    })
    worker.on('error', (error) => {
      // An uncaught exception or unhandled rejection ends the environment, as it ends Lambda's runtime.
      const errorType = (error as {code?: string}).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'Runtime.OutOfMemory' : 'Runtime.UnhandledError'
      this.finish(environment, {error: {errorMessage: error.message, errorType, stack: error.stack}, ok: false, reason: 'crash'})
    })
    worker.on('exit', (exitCode) => {
      settleReady(false)
      this.environments.delete(environment)
      const index = this.idle.indexOf(environment)
      if (index !== -1) this.idle.splice(index, 1)
      if (environment.busy) {
        const error = initError ?? {errorMessage: `Runtime exited with error: exit status ${exitCode}`, errorType: 'Runtime.ExitError'}
        this.finish(environment, {error, ok: false, reason: 'crash'}, false)
      }

      this.dispatch()
    })
    return environment
  }

  private run(environment: Environment, pending: Pending): void {
    const id = this.nextId++
    const timeoutMs = environment.code.timeoutMs
    const timedOut = () => {
      const seconds = Number((timeoutMs / 1000).toFixed(2))
      this.finish(environment, {error: {errorMessage: `Task timed out after ${seconds} seconds`, errorType: 'Sandbox.Timedout'}, ok: false, reason: 'timeout'})
      // Lambda throws away an environment whose invocation timed out.
      void environment.worker.terminate()
    }

    // The function's Timeout counts the invocation only: a cold start's Init phase has its own 10-second
    // limit, after which Lambda retries Init within the invocation's Timeout (AWS Lambda Developer Guide,
    // "Lambda execution environment lifecycle").
    environment.busy = {id, pending, started: performance.now(), timer: setTimeout(timedOut, INIT_LIMIT_MS + timeoutMs)}
    void environment.ready.then((ready) => {
      const busy = environment.busy
      if (!ready || busy?.id !== id) return
      clearTimeout(busy.timer)
      busy.started = performance.now()
      busy.timer = setTimeout(timedOut, timeoutMs)
      const message: ToWorker = {deadline: Date.now() + timeoutMs, event: pending.event, id, requestId: pending.requestId, type: 'invoke'}
      environment.worker.postMessage(message)
    })
  }

  private finish(environment: Environment, outcome: Outcome, reuse = true): void {
    const busy = environment.busy
    if (!busy) return
    environment.busy = undefined
    clearTimeout(busy.timer)
    busy.pending.resolve({...outcome, durationMs: performance.now() - busy.started} as InvokeResult)
    if (!reuse || (!outcome.ok && outcome.reason !== 'error')) return
    if (this.closed || environment.code !== this.code) void this.retire(environment)
    else {
      this.idle.push(environment)
      this.dispatch()
    }
  }

  private async retire(environment: Environment): Promise<void> {
    this.environments.delete(environment)
    await environment.worker.terminate()
  }
}
