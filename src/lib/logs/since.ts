import {parseDuration} from '../duration.js'
import {UsageError, WsapiError} from '../errors.js'

/** `--since`: a duration back from now (the one grammar of src/lib/duration.ts, with a unit: 30s, 10m, 2h, 1d) or a date and time (ISO 8601); epoch milliseconds. */
export function parseSince(value: string, now = Date.now()): number {
  try {
    return now - parseDuration(value, {maxMs: Number.POSITIVE_INFINITY})
  } catch (error) {
    if (!WsapiError.is(error)) throw error
  }

  if (/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    const time = Date.parse(value.trim())
    if (Number.isFinite(time)) return time
  }

  throw new UsageError(
    `Invalid --since ${JSON.stringify(value)}: give a duration such as 30s, 10m, 2h or 1d, or a date and time such as 2026-01-31T14:00:00Z.`,
    {code: 'INVALID_SINCE'},
  )
}
