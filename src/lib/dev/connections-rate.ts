import type {TokenBucket} from './rate-limit.js'

// The account-level throttle on @connections calls, and its log lines.

/**
 * The account-level throttle on @connections calls (rate-limit.ts holds the token bucket), and what the log says of
 * it: the first refusal at once, later ones as a count each second, so that a flood of 429s is a few lines.
 */
export class ConnectionsRateGate {
  private throttled: {count: number; timer?: NodeJS.Timeout} = {count: 0}

  constructor(
    private readonly bucket: TokenBucket,
    private readonly warn: (line: string) => void,
  ) {}

  /** One @connections call against the account's rate: false when it is over (the call gets a 429). */
  take(): boolean {
    if (this.bucket.take()) return true
    if (this.throttled.timer) {
      this.throttled.count += 1
      return false
    }

    const {burst, ratePerSecond} = this.bucket.limit
    this.warn(
      `@connections: calls over the account rate of ${ratePerSecond}/s, burst ${burst}, get 429 LimitExceededException (--connections-rate-limit, --connections-burst-limit)`,
    )
    const flush = () => {
      if (this.throttled.count === 0) {
        this.throttled.timer = undefined
        return
      }

      this.warn(
        `@connections: ${this.throttled.count} call${this.throttled.count === 1 ? '' : 's'} throttled (429 LimitExceededException) in the last second`,
      )
      this.throttled.count = 0
      this.throttled.timer = setTimeout(flush, 1000).unref()
    }

    this.throttled = {count: 1, timer: setTimeout(flush, 1000).unref()}
    return false
  }

  /** The server stops: no count is logged after. */
  close(): void {
    clearTimeout(this.throttled.timer)
  }
}
