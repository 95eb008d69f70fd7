/**
 * API Gateway's account throttle: 10,000 requests per second with a burst of 5,000, per account and Region,
 * shared by every REST, HTTP and WebSocket API and by @connections calls
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
 */
export const ACCOUNT_REQUESTS_PER_SECOND = 10_000

/** What broadcasts aim for by default: 90% of the account's quota, leaving the rest to other APIs and replies. */
export const DEFAULT_POSTS_PER_SECOND = 9000

export type Sleep = (ms: number) => Promise<void>

export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

export interface PacerOptions {
  /** Calls let through at once after a quiet spell; defaults to a tenth of a second's worth (at least 1). */
  burst?: number
  clock?: () => number
  /** Calls per second on average. */
  ratePerSecond: number
  sleep?: Sleep
}

/**
 * Spaces calls to a budget of `ratePerSecond`, as a token bucket kept as one number: the time at which the
 * bucket is full again (GCRA). Each call reserves its slot before waiting, so concurrent callers queue in
 * order and none waits longer than its place in the queue.
 */
export class Pacer {
  readonly burst: number
  readonly ratePerSecond: number
  private readonly clock: () => number
  private fullAt = 0
  private readonly intervalMs: number
  private readonly wait: Sleep

  constructor(options: PacerOptions) {
    this.ratePerSecond = Math.max(Number.MIN_VALUE, options.ratePerSecond)
    this.intervalMs = 1000 / this.ratePerSecond
    this.burst = Math.max(1, Math.floor(options.burst ?? this.ratePerSecond / 10))
    this.clock = options.clock ?? Date.now
    this.wait = options.sleep ?? sleep
  }

  /** Resolves when the caller may make one call. */
  async take(): Promise<void> {
    const now = this.clock()
    this.fullAt = Math.max(now, this.fullAt) + this.intervalMs
    const delay = this.fullAt - now - this.burst * this.intervalMs
    if (delay > 0) await this.wait(delay)
  }
}

/** True for API Gateway's 429 `LimitExceededException`: the account's quota, or the recipient's full buffer. */
export function isThrottled(error: unknown): boolean {
  const candidate = error as {$metadata?: {httpStatusCode?: number}; name?: string} | undefined
  return candidate?.name === 'LimitExceededException' || candidate?.$metadata?.httpStatusCode === 429
}

/** True for failures worth another try: a 5xx answer, or no answer at all (a reset or timed-out socket). */
export function isTransient(error: unknown): boolean {
  const candidate = error as {$metadata?: {httpStatusCode?: number}; code?: string; name?: string} | undefined
  const status = candidate?.$metadata?.httpStatusCode
  if (status !== undefined) return status >= 500
  return (
    ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED'].includes(candidate?.code ?? '') ||
    ['TimeoutError', 'RequestTimeout'].includes(candidate?.name ?? '')
  )
}

export interface BackoffOptions {
  baseMs?: number
  capMs?: number
  random?: () => number
}

/**
 * Exponential backoff with full jitter: a random wait below min(cap, base × 2^attempt), so that workers
 * throttled at the same moment do not retry at the same moment
 * (https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/).
 */
export function backoffMs(attempt: number, options: BackoffOptions = {}): number {
  const {baseMs = 50, capMs = 2000, random = Math.random} = options
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30)))
}
