import {UsageError} from './errors.js'

/**
 * The one grammar of every duration flag: a number with a unit, `500ms`, `30s`, `10m`, `2h`, `1d`
 * (decimals too: `1.5s`). A bare number keeps the unit the flag always had (seconds for timeouts,
 * milliseconds for latencies and intervals), so that existing scripts keep working.
 */
export interface DurationGrammar {
  /** What a number without a unit means; undefined: a unit is required. */
  bare?: 'ms' | 's'
  /** `-1` stands for "until the connection closes" and gives Infinity. */
  forever?: boolean
  /** The longest accepted, in ms. @default the longest timer Node can set (2^31 - 1 ms, about 596 h) */
  maxMs?: number
  /** 0 is allowed (no latency, no wait); else a duration must be above 0. */
  zero?: boolean
}

const UNITS: Record<string, number> = {d: 86_400_000, h: 3_600_000, m: 60_000, ms: 1, s: 1000}

/** Node's timers hold at most 2^31 - 1 ms (about 596 h); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** What a flag of this grammar takes, for messages: `a duration such as 500ms, 30s, 10m or 2h (a bare number is seconds)`. */
export function durationForm(grammar: DurationGrammar): string {
  const notes = [
    grammar.bare && `a bare number is ${grammar.bare === 's' ? 'seconds' : 'milliseconds'}`,
    grammar.forever && '-1: until the server closes',
  ].filter(Boolean)
  return `${grammar.zero ? 'a' : 'a positive'} duration such as 500ms, 30s, 10m or 2h${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`
}

/** A limit the way a user writes it: 30d, 90m (in the largest unit it is a whole number of). */
function largest(ms: number): string {
  const unit = ['d', 'h', 'm', 's'].find((candidate) => ms % UNITS[candidate] === 0)
  return unit ? `${ms / UNITS[unit]}${unit}` : `${ms}ms`
}

/** Milliseconds (Infinity for a `forever` grammar's -1); a UsageError (exit 2) saying what to write otherwise. */
export function parseDuration(value: string, grammar: DurationGrammar): number {
  const text = value.trim()
  if (grammar.forever && text === '-1') return Number.POSITIVE_INFINITY
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text)
  const unit = match?.[2] ?? grammar.bare
  const ms = match && unit ? Math.round(Number(match[1]) * UNITS[unit]) : Number.NaN
  if (!Number.isFinite(ms) || (ms === 0 && !(grammar.zero && Number(match![1]) === 0))) {
    throw new UsageError(`give ${durationForm(grammar)}, not ${JSON.stringify(value)}`, {code: 'INVALID_DURATION'})
  }

  if (ms > (grammar.maxMs ?? MAX_TIMER_MS)) {
    const most = grammar.maxMs === undefined ? '596h (a longer timer would fire at once)' : largest(grammar.maxMs)
    throw new UsageError(`give at most ${most}, not ${JSON.stringify(value)}`, {code: 'INVALID_DURATION'})
  }

  return ms
}
