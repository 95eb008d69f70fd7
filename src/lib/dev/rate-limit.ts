import {UsageError} from '../errors.js'

/**
 * API Gateway's account-level throttle: 10,000 requests per second with a burst of 5,000, per account and Region,
 * shared by every API and by the @connections calls
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). It is a token bucket
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html): the burst is
 * its size, the rate refills it; a request that finds it empty gets 429.
 */
export const ACCOUNT_THROTTLE = {burst: 5000, ratePerSecond: 10_000} as const

export interface RateLimit {
  burst: number
  ratePerSecond: number
}

/** A token bucket: `burst` tokens at first, `ratePerSecond` added back continuously, one taken per request. */
export class TokenBucket {
  private last: number
  private tokens: number

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limit.burst
    this.last = now()
  }

  /** Takes a token; false when there is none (the request is throttled). */
  take(): boolean {
    const now = this.now()
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) * this.limit.ratePerSecond) / 1000)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

/**
 * `--connections-rate-limit` (requests per second, or `off`) and `--connections-burst-limit` → the limit, or
 * undefined for none.
 */
export function parseConnectionsRateLimit(rate: string, burst: number): RateLimit | undefined {
  if (rate.trim().toLowerCase() === 'off') return undefined
  const ratePerSecond = Number(rate)
  if (!/^\d+(?:\.\d+)?$/.test(rate.trim()) || !(ratePerSecond > 0)) {
    throw new UsageError(
      `Invalid --connections-rate-limit ${JSON.stringify(rate)}: give requests per second such as 10000, or off for no limit.`,
      {
        code: 'INVALID_RATE_LIMIT',
      },
    )
  }

  if (!Number.isInteger(burst) || burst < 1) {
    throw new UsageError(
      `Invalid --connections-burst-limit ${burst}: give a whole number of requests of at least 1, such as 5000.`,
      {code: 'INVALID_RATE_LIMIT'},
    )
  }

  return {burst, ratePerSecond}
}
