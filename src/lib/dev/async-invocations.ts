import type {InvokeResult, WorkerError} from './invoker.js'

/**
 * Lambda's handling of asynchronous (`InvocationType: Event`) invocations
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html): the event is queued, run,
 * and on a function error run again up to `MaximumRetryAttempts` more times (default 2; AWS waits about 1 minute,
 * then about 2), unless it is older than `MaximumEventAgeInSeconds` (default 6 hours); then the destination record
 * goes to the `OnFailure` destination (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)
 * and, with a `DeadLetterConfig`, the event to the dead-letter queue. A success goes to `OnSuccess`.
 */

export const ASYNC_DEFAULTS = {maximumEventAgeSeconds: 21_600, maximumRetryAttempts: 2} as const

export interface AsyncInvokeConfig {
  /** The function's DeadLetterConfig.TargetArn: gets the event itself after the last failure. */
  deadLetterTarget?: string
  /** Seconds an event may wait in the queue and between retries (60–21600). */
  maximumEventAgeSeconds: number
  /** Retries after a function error (0–2). */
  maximumRetryAttempts: number
  /** Destination ARNs. */
  onFailure?: string
  onSuccess?: string
}

export interface AsyncEvent {
  /** Attempts made so far. */
  attempts: number
  functionArn: string
  functionName: string
  /** The event, as JSON. */
  payload: string
  /** Epoch ms when Lambda accepted it (202). */
  receivedAt: number
  /** The 202's x-amzn-RequestId, and the awsRequestId of every attempt. */
  requestId: string
  /** Throttled attempts so far (they do not count against the retries). */
  throttles: number
}

export type DestinationCondition = 'EventAgeExceeded' | 'RetriesExhausted' | 'Success'

/** The record Lambda sends to a destination. */
export interface DestinationRecord {
  requestContext: {
    approximateInvokeCount: number
    condition: DestinationCondition
    functionArn: string
    requestId: string
  }
  requestPayload: unknown
  responseContext?: {executedVersion: string; functionError?: string; statusCode: number}
  responsePayload?: unknown
  timestamp: string
  version: '1.0'
}

/** What happened to an event after an attempt, for the log. */
export type AsyncStep =
  | {kind: 'failed'; condition: Exclude<DestinationCondition, 'Success'>}
  | {kind: 'retry'; inMs: number; throttled: boolean}
  | {kind: 'succeeded'}

export interface AsyncInvocationsOptions {
  /** The function's EventInvokeConfig (or the defaults). */
  configFor(functionName: string): AsyncInvokeConfig
  /** Sends the event to the function's dead-letter queue (or topic). */
  deadLetter(target: string, event: AsyncEvent, error: WorkerError | undefined): void
  /** Sends a record to a destination ARN. */
  deliver(destination: string, record: DestinationRecord, event: AsyncEvent): void
  /** Called after each attempt (`result` undefined when none was made, e.g. the event was too old). */
  onStep(event: AsyncEvent, step: AsyncStep, result?: InvokeResult): void
  /** Wait before the first retry after a function error; the second waits twice as long. */
  retryDelayMs: number
  /** Runs the function on the event. */
  run(event: AsyncEvent): Promise<InvokeResult>
  now?: () => number
}

/** The error document Lambda returns for a function error (Node.js runtime shape). */
export function errorPayload(error: WorkerError): {errorMessage: string; errorType: string; trace?: string[]} {
  return {errorMessage: error.errorMessage, errorType: error.errorType, trace: error.stack?.split('\n')}
}

/** A result that is the service's throttling rather than the function's error: Lambda retries those without counting them. */
function isThrottle(result: InvokeResult): boolean {
  return !result.ok && /throttl|TooManyRequests/i.test(result.error.errorType)
}

export function destinationRecord(
  event: AsyncEvent,
  condition: DestinationCondition,
  result: InvokeResult | undefined,
  now: number,
): DestinationRecord {
  let requestPayload: unknown
  try {
    requestPayload = JSON.parse(event.payload)
  } catch {
    requestPayload = event.payload
  }

  return {
    requestContext: {
      approximateInvokeCount: event.attempts,
      condition,
      functionArn: `${event.functionArn}:$LATEST`,
      requestId: event.requestId,
    },
    requestPayload,
    responseContext: result
      ? {executedVersion: '$LATEST', functionError: result.ok ? undefined : 'Unhandled', statusCode: 200}
      : undefined,
    responsePayload: result ? (result.ok ? result.payload : errorPayload(result.error)) : undefined,
    timestamp: new Date(now).toISOString(),
    version: '1.0',
  }
}

/** The queue of asynchronous invocations of every function, with Lambda's retries. */
export class AsyncInvocations {
  private closed = false
  private readonly now: () => number
  private readonly running = new Set<Promise<void>>()
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(private readonly options: AsyncInvocationsOptions) {
    this.now = options.now ?? Date.now
  }

  /** Events waiting for a retry or running now. */
  get pending(): number {
    return this.timers.size + this.running.size
  }

  /** Accepts an event (Lambda's 202) and runs it as soon as the function can. */
  enqueue(event: Omit<AsyncEvent, 'attempts' | 'receivedAt' | 'throttles'>): void {
    if (this.closed) return
    this.attempt({...event, attempts: 0, receivedAt: this.now(), throttles: 0})
  }

  /** Drops waiting retries; resolves when running attempts are over. */
  async close(): Promise<void> {
    this.closed = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    await Promise.all([...this.running])
  }

  /** Resolves once nothing is waiting or running (tests). */
  async idle(): Promise<void> {
    while (this.pending > 0) {
      // eslint-disable-next-line no-await-in-loop
      await Promise.race([...this.running, new Promise((resolve) => setTimeout(resolve, 5))])
    }
  }

  private attempt(event: AsyncEvent): void {
    const config = this.options.configFor(event.functionName)
    if (this.now() - event.receivedAt > config.maximumEventAgeSeconds * 1000)
      return this.fail(event, 'EventAgeExceeded', undefined, config)
    event.attempts += 1
    const done = this.options.run(event).then((result) => this.settle(event, result))
    this.running.add(done)
    void done.finally(() => this.running.delete(done))
  }

  private settle(event: AsyncEvent, result: InvokeResult): void {
    if (this.closed) return
    const config = this.options.configFor(event.functionName)
    if (result.ok) {
      this.options.onStep(event, {kind: 'succeeded'}, result)
      if (config.onSuccess)
        this.options.deliver(config.onSuccess, destinationRecord(event, 'Success', result, this.now()), event)
      return
    }

    let delayMs: number
    if (isThrottle(result)) {
      // Throttled: back to the queue, not counted; Lambda backs off from 1 s up to 5 minutes (dev starts at the retry delay if shorter).
      event.attempts -= 1
      event.throttles += 1
      delayMs = Math.min(Math.min(1000, this.options.retryDelayMs) * 2 ** (event.throttles - 1), 300_000)
    } else {
      if (event.attempts > config.maximumRetryAttempts) return this.fail(event, 'RetriesExhausted', result, config)
      delayMs = this.options.retryDelayMs * event.attempts
    }

    if (this.now() + delayMs - event.receivedAt > config.maximumEventAgeSeconds * 1000)
      return this.fail(event, 'EventAgeExceeded', result, config)
    this.options.onStep(event, {inMs: delayMs, kind: 'retry', throttled: isThrottle(result)}, result)
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      this.attempt(event)
    }, delayMs)
    this.timers.add(timer)
  }

  private fail(
    event: AsyncEvent,
    condition: Exclude<DestinationCondition, 'Success'>,
    result: InvokeResult | undefined,
    config: AsyncInvokeConfig,
  ): void {
    this.options.onStep(event, {condition, kind: 'failed'}, result)
    if (config.onFailure)
      this.options.deliver(config.onFailure, destinationRecord(event, condition, result, this.now()), event)
    if (config.deadLetterTarget)
      this.options.deadLetter(config.deadLetterTarget, event, result && !result.ok ? result.error : undefined)
  }
}
