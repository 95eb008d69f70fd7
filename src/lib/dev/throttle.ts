import type {StageThrottlingModel, ThrottleModel} from '../project/index.js'

/**
 * API Gateway's throttle: a token bucket holding up to `burstLimit` requests, refilled at `rateLimit` per second
 * (API Gateway developer guide, "Protect your WebSocket APIs in API Gateway": token bucket algorithm). A burst limit
 * of 0 refuses everything.
 */
export class TokenBucket {
  private tokens: number
  private updatedAt: number

  constructor(
    readonly rateLimit: number,
    readonly burstLimit: number,
    now = performance.now(),
  ) {
    this.tokens = burstLimit
    this.updatedAt = now
  }

  /** Takes one token if there is one. */
  take(now = performance.now()): boolean {
    this.tokens = Math.min(this.burstLimit, this.tokens + ((now - this.updatedAt) / 1000) * this.rateLimit)
    this.updatedAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

/** What the account allows when a stage sets only one of the two values (API Gateway quotas: 10,000 rps, burst 5,000). */
const ACCOUNT = {burstLimit: 5000, rateLimit: 10_000} as const

/**
 * The stage's route throttling: one bucket per route key, with the route's RouteSettings, else the stage's
 * DefaultRouteSettings (value by value). A route with neither is not throttled: the account-level throttle is
 * shared with every other API of the account, which wsapi dev cannot know of.
 */
export class StageThrottle {
  private readonly buckets = new Map<string, TokenBucket | undefined>()

  constructor(private readonly settings: StageThrottlingModel) {}

  /** The limits in effect for a route, if any. */
  limits(routeKey: string): {burstLimit: number; rateLimit: number} | undefined {
    const route: ThrottleModel = this.settings.routes[routeKey] ?? {}
    const burstLimit = route.burstLimit ?? this.settings.defaults.burstLimit
    const rateLimit = route.rateLimit ?? this.settings.defaults.rateLimit
    if (burstLimit === undefined && rateLimit === undefined) return undefined
    return {burstLimit: burstLimit ?? ACCOUNT.burstLimit, rateLimit: rateLimit ?? ACCOUNT.rateLimit}
  }

  /** Whether one more request on this route goes through now. */
  allow(routeKey: string, now = performance.now()): boolean {
    if (!this.buckets.has(routeKey)) {
      const limits = this.limits(routeKey)
      this.buckets.set(routeKey, limits && new TokenBucket(limits.rateLimit, limits.burstLimit, now))
    }

    return this.buckets.get(routeKey)?.take(now) ?? true
  }
}
