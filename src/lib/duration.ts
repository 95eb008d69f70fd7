import {UsageError} from './errors.js'

/**
 * The one grammar of every duration flag: a number with a unit, `500ms`, `30s`, `10m`, `2h` (decimals
 * too: `1.5s`). A bare number keeps the unit the flag always had (seconds for timeouts, milliseconds for
 * latencies and intervals), so that existing scripts keep working.
 */
export interface DurationGrammar {
  /** What a number without a unit means. */
  bare: 'ms' | 's'
  /** `-1` stands for "until the connection closes" and gives Infinity. */
  forever?: boolean
  /** 0 is allowed (no latency, no wait); else a duration must be above 0. */
  zero?: boolean
}

const UNITS: Record<string, number> = {h: 3_600_000, m: 60_000, ms: 1, s: 1000}

/** Node's timers hold at most 2^31 - 1 ms (about 596 h); a longer one fires at once. */
const MAX_MS = 2 ** 31 - 1

/** What a flag of this grammar takes, for messages: `a duration such as 500ms, 30s, 10m or 2h (a bare number is seconds)`. */
export function durationForm(grammar: DurationGrammar): string {
  const bare = grammar.bare === 's' ? 'seconds' : 'milliseconds'
  return `${grammar.zero ? 'a' : 'a positive'} duration such as 500ms, 30s, 10m or 2h (a bare number is ${bare}${grammar.forever ? '; -1: until the server closes' : ''})`
}

/** Milliseconds (Infinity for a `forever` grammar's -1); a UsageError (exit 2) saying what to write otherwise. */
export function parseDuration(value: string, grammar: DurationGrammar): number {
  const text = value.trim()
  if (grammar.forever && text === '-1') return Number.POSITIVE_INFINITY
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text)
  const ms = match ? Math.round(Number(match[1]) * UNITS[match[2] ?? grammar.bare]) : Number.NaN
  if (!Number.isFinite(ms) || (ms === 0 && !(grammar.zero && Number(match![1]) === 0))) {
    throw new UsageError(`give ${durationForm(grammar)}, not ${JSON.stringify(value)}`, {code: 'INVALID_DURATION'})
  }

  if (ms > MAX_MS) throw new UsageError(`give at most 596h (a longer timer would fire at once), not ${JSON.stringify(value)}`, {code: 'INVALID_DURATION'})
  return ms
}
