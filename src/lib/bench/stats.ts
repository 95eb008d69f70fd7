/** Latency statistics of a benchmark run, in milliseconds. Pure functions: no clock, no I/O. */

export interface LatencySummary {
  count: number
  max: null | number
  mean: null | number
  min: null | number
  p50: null | number
  p95: null | number
  p99: null | number
}

/**
 * The p-th percentile (0–100) of ascending `sorted` values by the nearest-rank method: the smallest
 * value that at least p % of the values are less than or equal to. It is always one of the measured
 * values (no interpolation), so a p99 of 100 samples is the 99th, not a blend of the 99th and 100th.
 * Undefined for no values.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`)
  if (sorted.length === 0) return undefined
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

/** Rounds to microseconds: enough for WebSocket latencies, and stable JSON. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000
}

/** count, min, mean, p50, p95, p99 and max of `values` (any order); nulls when there are none. */
export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return {count: 0, max: null, mean: null, min: null, p50: null, p95: null, p99: null}
  const sorted = Float64Array.from(values).sort()
  const list = Array.from(sorted)
  let total = 0
  for (const value of list) total += value
  const at = (p: number) => roundMs(percentile(list, p) as number)
  return {
    count: list.length,
    max: roundMs(list.at(-1) as number),
    mean: roundMs(total / list.length),
    min: roundMs(list[0]),
    p50: at(50),
    p95: at(95),
    p99: at(99),
  }
}

/** Occurrences of each key, e.g. handshake failures by status: {"HTTP 403": 3, "ECONNREFUSED": 1}. */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const item of items) {
    const name = key(item)
    counts[name] = (counts[name] ?? 0) + 1
  }

  return counts
}
