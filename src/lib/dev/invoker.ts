import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'

import type {FromWorker, MemoryUse, ToWorker, WorkerError, WorkerSetup} from './function-worker.js'

export type {WorkerError} from './function-worker.js'

type Outcome =
  | {ok: true; /** The handler's result, as Lambda returns it (JSON). */ payload: unknown}
  | {
      error: WorkerError
      ok: false
      /** Why: the handler threw, ran out of time, its environment died, or Lambda refused the invocation (TooManyRequestsException). */
      reason: 'crash' | 'error' | 'throttled' | 'timeout'
    }

export type InvokeResult = Outcome & {durationMs: number}

/** Everything a function's environments need; a new one replaces the code (hot reload). */
export interface FunctionCode {
  env: Record<string, string>
  setup: WorkerSetup
  /** The function's ReservedConcurrentExecutions, if set: Lambda never runs more at once, and refuses the rest. */
  reservedConcurrency?: number
  /** The function's Timeout. */
  timeoutMs: number
}

export interface RuntimeOptions {
  /** Environments at most (`--concurrency`): fewer than Lambda would start, so invocations may wait for one. */
  concurrency: number
  /** Invocations that may wait for an environment (`--queue`); beyond, and beyond 16 MB of waiting events, they are throttled. */
  maxWaiting?: number
  onLog: (line: LogLine, requestId: string | undefined) => void
}

export interface InvokeOptions {
  /** Aborted when the caller stops waiting (API Gateway's integration timeout): an invocation still waiting is dropped. */
  signal?: AbortSignal
}

/** Default of `--queue`. */
export const DEFAULT_MAX_WAITING = 1000
/** Waiting events (each up to API Gateway's 128 KB message and more) take memory: a flood is throttled, not queued. */
export const MAX_WAITING_BYTES = 16 * 1024 * 1024

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

const FROM_SOURCES = import.meta.url.endsWith('.ts')
const WORKER_URL = new URL(`./function-worker${FROM_SOURCES ? '.ts' : '.js'}`, import.meta.url)

const MB = 1024 * 1024

const ABANDONED: InvokeResult = {durationMs: 0, error: {errorMessage: 'The caller stopped waiting before an environment was free', errorType: 'Runtime.Abandoned'}, ok: false, reason: 'crash'}

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
  private queuedBytes = 0
  private closed = false

  constructor(
    code: FunctionCode,
    private readonly options: RuntimeOptions,
  ) {
    this.code = code
  }

  /**
   * Runs the handler on `event` (already JSON, as Lambda receives it). Never rejects. Lambda has no queue for
   * synchronous invocations: beyond the function's ReservedConcurrentExecutions it answers TooManyRequestsException
   * at once. Below that, an invocation waits for one of the `concurrency` environments, as long as fewer than
   * `maxWaiting` (and 16 MB of events) already wait; otherwise it is throttled as Lambda throttles.
   */
  invoke(event: string, requestId: string, options: InvokeOptions = {}): Promise<InvokeResult> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve({durationMs: 0, error: {errorMessage: 'The dev server is stopping', errorType: 'Runtime.Stopped'}, ok: false, reason: 'crash'})
        return
      }

      const refusal = this.refusal(event.length)
      if (refusal) {
        resolve({durationMs: 0, error: {errorMessage: `Rate Exceeded. (${refusal})`, errorType: 'TooManyRequestsException'}, ok: false, reason: 'throttled'})
        return
      }

      if (options.signal?.aborted) {
        resolve(ABANDONED)
        return
      }

      const pending: Pending = {event, requestId, resolve}
      this.queue.push(pending)
      this.queuedBytes += event.length
      options.signal?.addEventListener('abort', () => this.abandon(pending), {once: true})
      this.dispatch()
    })
  }

  /** Why Lambda would refuse one more invocation now, if it would. Sizes are in UTF-16 code units, as strings are held. */
  private refusal(eventLength: number): string | undefined {
    const reserved = this.code.reservedConcurrency
    const running = this.environments.size - this.idle.length
    const inFlight = running + this.queue.length
    if (reserved !== undefined && inFlight >= reserved) {
      return `ReservedFunctionConcurrentInvocationLimitExceeded: ReservedConcurrentExecutions is ${reserved} and ${reserved} invocations are in flight`
    }

    if (this.idle.length > 0 || this.environments.size < this.capacity) return undefined
    const maxWaiting = this.options.maxWaiting ?? DEFAULT_MAX_WAITING
    if (this.queue.length >= maxWaiting) return `dev: all ${this.capacity} environments are busy and ${this.queue.length} invocations wait for one (--concurrency, --queue)`
    if (this.queuedBytes + eventLength > MAX_WAITING_BYTES) {
      return `dev: all ${this.capacity} environments are busy and the ${MAX_WAITING_BYTES / MB} MB of events allowed to wait for one are taken (--concurrency)`
    }

    return undefined
  }

  /** Environments at most: `concurrency`, or fewer if the function reserves fewer. */
  private get capacity(): number {
    return Math.min(this.options.concurrency, this.code.reservedConcurrency ?? Number.POSITIVE_INFINITY)
  }

  /** The caller stopped waiting before an environment was free: the invocation never starts. */
  private abandon(pending: Pending): void {
    const index = this.queue.indexOf(pending)
    if (index === -1) return
    this.queue.splice(index, 1)
    this.queuedBytes -= pending.event.length
    pending.resolve(ABANDONED)
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
    this.queuedBytes = 0
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
        if (this.environments.size >= this.capacity) return
        environment = this.spawn()
      }

      const pending = this.queue.shift()!
      this.queuedBytes -= pending.event.length
      this.run(environment, pending)
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
    let outOfMemory: WorkerError | undefined
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

        case 'out-of-memory': {
          outOfMemory = outOfMemoryError(code.setup.memorySize, message.use)
          // Between invocations nobody else would hear of it.
          if (!environment.busy) this.options.onLog({level: 'ERROR', text: `${outOfMemory.errorType}: ${outOfMemory.errorMessage}`}, undefined)
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
        const error = initError ?? outOfMemory ?? {errorMessage: `Runtime exited with error: exit status ${exitCode}`, errorType: 'Runtime.ExitError'}
        this.finish(environment, {error, ok: false, reason: 'crash'}, false)
      }

      this.dispatch()
    })
    return environment
  }

  private run(environment: Environment, pending: Pending): void {
    const id = this.nextId++
    const started = performance.now()
    const timeoutMs = environment.code.timeoutMs
    const timer = setTimeout(() => {
      const seconds = Number((timeoutMs / 1000).toFixed(2))
      this.finish(environment, {error: {errorMessage: `Task timed out after ${seconds} seconds`, errorType: 'Sandbox.Timedout'}, ok: false, reason: 'timeout'})
      // Lambda throws away an environment whose invocation timed out.
      void environment.worker.terminate()
    }, timeoutMs)
    environment.busy = {id, pending, started, timer}
    const message: ToWorker = {deadline: Date.now() + timeoutMs, event: pending.event, id, requestId: pending.requestId, type: 'invoke'}
    environment.worker.postMessage(message)
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
