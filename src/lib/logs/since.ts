import {UsageError} from '../errors.js'

const UNITS: Record<string, number> = {d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000}

/** `--since`: a duration back from now (30s, 10m, 2h, 1d) or a date and time (ISO 8601); epoch milliseconds. */
export function parseSince(value: string, now = Date.now()): number {
  const duration = /^(\d+(?:\.\d+)?)\s*([smhd])$/i.exec(value.trim())
  if (duration) return now - Number(duration[1]) * UNITS[duration[2].toLowerCase()]
  if (/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    const time = Date.parse(value.trim())
    if (Number.isFinite(time)) return time
  }

  throw new UsageError(`Invalid --since ${JSON.stringify(value)}: give a duration such as 30s, 10m, 2h or 1d, or a date and time such as 2026-01-31T14:00:00Z.`, {code: 'INVALID_SINCE'})
}
