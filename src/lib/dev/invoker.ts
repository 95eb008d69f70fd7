import {
  type Environment,
  type FunctionCode,
  type LogLine,
  type Outcome,
  startEnvironment,
} from './execution-environment.js'
import type {ToWorker, WorkerError} from './function-worker.js'
import {WaitingLines} from './waiting.js'

export type {FunctionCode, LogLine} from './execution-environment.js'
export type {WorkerError} from './function-worker.js'

export type InvokeResult = Outcome & {durationMs: number}

export interface RuntimeOptions {
  /** Environments at most (`--concurrency`): fewer than Lambda would start, so invocations may wait for one. */
  concurrency: number
  /** Invocations that may wait for an environment (`--queue`); beyond, and beyond 16 MB of waiting events, they are throttled. */
  maxWaiting?: number
  onLog: (line: LogLine, requestId: string | undefined) => void
}

export interface InvokeOptions {
  /** On whose behalf (a connection id): waiting invocations are served one caller after another. Default: its own. */
  caller?: string
  /** Aborted when the caller stops waiting (API Gateway's integration timeout): an invocation still waiting is dropped. */
  signal?: AbortSignal
}

/** Default of `--queue`. */
export const DEFAULT_MAX_WAITING = 1000
/** Waiting events (each up to API Gateway's 128 KB message and more) take memory: a flood is throttled, not queued. */
export const MAX_WAITING_BYTES = 16 * 1024 * 1024

interface Pending {
  caller: string
  event: string
  length: number
  requestId: string
  resolve: (result: InvokeResult) => void
}

/** Lambda's limit on a cold start's Init phase (loading the handler module), not counted in the Timeout. */
const INIT_LIMIT_MS = 10_000

const MB = 1024 * 1024

function throttled(reason: string): InvokeResult {
  return {
    durationMs: 0,
    error: {errorMessage: `Rate Exceeded. (${reason})`, errorType: 'TooManyRequestsException'},
    ok: false,
    reason: 'throttled',
  }
}

const ABANDONED: InvokeResult = {
  durationMs: 0,
  error: {errorMessage: 'The caller stopped waiting before an environment was free', errorType: 'Runtime.Abandoned'},
  ok: false,
  reason: 'crash',
}

/**
 * A function's execution environments (execution-environment.ts): worker threads, each running one invocation at a
 * time, up to `concurrency` of them, created on demand (a cold start) and kept warm. A handler that throws, hangs past
 * its Timeout, exits or crashes costs only its own environment.
 */
export class FunctionRuntime {
  private code: FunctionCode
  private readonly environments = new Set<Environment<Pending>>()
  private readonly idle: Environment<Pending>[] = []
  private nextId = 1
  private readonly waiting = new WaitingLines<Pending>()
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
   * `maxWaiting` (and 16 MB of events) already wait; otherwise it is throttled as Lambda throttles. When they are
   * full, the caller with the most waiting gives way: its newest invocation is throttled, so that one flooding
   * connection cannot get everyone else's throttled.
   */
  invoke(event: string, requestId: string, options: InvokeOptions = {}): Promise<InvokeResult> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve({
          durationMs: 0,
          error: {errorMessage: 'The dev server is stopping', errorType: 'Runtime.Stopped'},
          ok: false,
          reason: 'crash',
        })
        return
      }

      const pending: Pending = {caller: options.caller ?? requestId, event, length: event.length, requestId, resolve}
      const refusal = this.refusal(pending)
      if (refusal) {
        resolve(throttled(refusal))
        return
      }

      if (options.signal?.aborted) {
        resolve(ABANDONED)
        return
      }

      this.waiting.add(pending)
      options.signal?.addEventListener('abort', () => this.abandon(pending), {once: true})
      this.dispatch()
    })
  }

  /**
   * Why Lambda would refuse this invocation now, if it would; makes room for it by throttling the newest invocations
   * of a caller that has more waiting. Sizes are in UTF-16 code units, as strings are held.
   */
  private refusal(pending: Pending): string | undefined {
    const reserved = this.code.reservedConcurrency
    const running = this.environments.size - this.idle.length
    if (reserved !== undefined && running + this.waiting.count >= reserved) {
      return `ReservedFunctionConcurrentInvocationLimitExceeded: ReservedConcurrentExecutions is ${reserved} and ${reserved} invocations are in flight`
    }

    if (this.idle.length > 0 || this.environments.size < this.capacity) return undefined
    const maxWaiting = this.options.maxWaiting ?? DEFAULT_MAX_WAITING
    const full = () => {
      if (this.waiting.count + 1 > maxWaiting)
        return `dev: all ${this.capacity} environments are busy and ${this.waiting.count} invocations wait for one (--concurrency, --queue)`
      if (this.waiting.length + pending.length > MAX_WAITING_BYTES) {
        return `dev: all ${this.capacity} environments are busy and the ${MAX_WAITING_BYTES / MB} MB of events allowed to wait for one are taken (--concurrency)`
      }

      return undefined
    }

    for (let reason = full(); reason; reason = full()) {
      const givesWay = this.waiting.newestOfLargerThan(pending.caller, pending.length)
      if (!givesWay) return reason
      this.waiting.remove(givesWay)
      givesWay.resolve(throttled(`${reason}; it gave way to another caller's, as it had the most waiting`))
    }

    return undefined
  }

  /** Environments at most: `concurrency`, or fewer if the function reserves fewer. */
  private get capacity(): number {
    return Math.min(this.options.concurrency, this.code.reservedConcurrency ?? Number.POSITIVE_INFINITY)
  }

  /** The caller stopped waiting before an environment was free: the invocation never starts. */
  private abandon(pending: Pending): void {
    if (this.waiting.remove(pending)) pending.resolve(ABANDONED)
  }

  /** Starts one environment with the current code and waits until its handler is loaded; false if loading failed. */
  async warm(): Promise<boolean> {
    return (await this.load()) === undefined
  }

  /** As warm(), answering why loading failed (Lambda's init error), or undefined once loaded. */
  async load(): Promise<WorkerError | undefined> {
    if (this.idle.some((environment) => environment.code === this.code)) return undefined
    const environment = this.spawn()
    this.idle.push(environment)
    if (await environment.ready) return undefined
    return (
      environment.initError ?? {
        errorMessage: 'The environment exited while loading the handler',
        errorType: 'Runtime.ExitError',
      }
    )
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
    for (const pending of this.waiting.drain()) {
      pending.resolve({
        durationMs: 0,
        error: {errorMessage: 'The dev server is stopping', errorType: 'Runtime.Stopped'},
        ok: false,
        reason: 'crash',
      })
    }

    await Promise.all([...this.environments].map((environment) => this.retire(environment)))
  }

  private dispatch(): void {
    while (this.waiting.count > 0) {
      let environment = this.idle.pop()
      while (environment && environment.code !== this.code) {
        this.retire(environment)
        environment = this.idle.pop()
      }

      if (!environment) {
        if (this.environments.size >= this.capacity) return
        environment = this.spawn()
      }

      this.run(environment, this.waiting.next()!)
    }
  }

  private spawn(): Environment<Pending> {
    const environment: Environment<Pending> = startEnvironment(this.code, {
      onExit: (error) => {
        this.environments.delete(environment)
        const index = this.idle.indexOf(environment)
        if (index !== -1) this.idle.splice(index, 1)
        if (environment.busy) this.finish(environment, {error, ok: false, reason: 'crash'}, false)
        this.dispatch()
      },
      onLog: (line) => this.options.onLog(line, environment.busy?.pending.requestId),
      onOutcome: (outcome, reuse) => this.finish(environment, outcome, reuse),
    })
    this.environments.add(environment)
    return environment
  }

  private run(environment: Environment<Pending>, pending: Pending): void {
    const id = this.nextId++
    const timeoutMs = environment.code.timeoutMs
    const timedOut = () => {
      // As Lambda writes it: "Task timed out after 3.00 seconds".
      const seconds = (timeoutMs / 1000).toFixed(2)
      this.finish(environment, {
        error: {errorMessage: `Task timed out after ${seconds} seconds`, errorType: 'Sandbox.Timedout'},
        ok: false,
        reason: 'timeout',
      })
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
      const message: ToWorker = {
        deadline: Date.now() + timeoutMs,
        event: pending.event,
        id,
        requestId: pending.requestId,
        type: 'invoke',
      }
      environment.worker.postMessage(message)
    })
  }

  private finish(environment: Environment<Pending>, outcome: Outcome, reuse = true): void {
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

  private async retire(environment: Environment<Pending>): Promise<void> {
    this.environments.delete(environment)
    await environment.worker.terminate()
  }
}
