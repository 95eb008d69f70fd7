import {UsageError} from '../errors.js'

const UNITS: Record<string, number> = {h: 3_600_000, m: 60_000, ms: 1, s: 1000}

/** Node's timers hold at most 2^31 - 1 ms (about 596 h); a longer one fires at once. */
const MAX_MS = 2 ** 31 - 1

/** `600`, `600s`, `10m`, `2h`, `250ms`, `1.5s` → milliseconds; a bare number is seconds. */
export function parseDuration(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim())
  const ms = match ? Number(match[1]) * UNITS[match[2] ?? 's'] : Number.NaN
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(`Invalid --${flag} ${JSON.stringify(value)}: give a positive duration such as 30s, 10m, 2h or 500ms (a bare number is seconds).`, {
      code: 'INVALID_DURATION',
    })
  }

  if (ms > MAX_MS) {
    throw new UsageError(`Invalid --${flag} ${JSON.stringify(value)}: at most 596h (a longer timer would fire at once).`, {code: 'INVALID_DURATION'})
  }

  return Math.round(ms)
}
