import assert from 'node:assert/strict'

import {UsageError} from '../../../src/lib/errors.js'
import {parseSince} from '../../../src/lib/logs/since.js'

describe('logs --since', () => {
  const now = Date.parse('2026-12-04T12:00:00Z')

  it('takes 30s, 10m, 2h, 1d (decimals too; the one duration grammar of every flag) back from now', () => {
    assert.equal(parseSince('10m', now), now - 600_000)
    assert.equal(parseSince('2h', now), now - 7_200_000)
    assert.equal(parseSince('30s', now), now - 30_000)
    assert.equal(parseSince('1d', now), now - 86_400_000)
    assert.equal(parseSince('1.5h', now), now - 5_400_000)
  })

  it('takes an ISO 8601 date and time as it is', () => {
    assert.equal(parseSince('2026-12-04T11:00:00Z', now), Date.parse('2026-12-04T11:00:00Z'))
    assert.equal(parseSince('2026-12-04T11:00:00+02:00', now), Date.parse('2026-12-04T09:00:00Z'))
  })

  it('anything else is a usage error (exit 2) that gives both forms', () => {
    for (const bad of ['10', 'ten minutes', '5y', '2026-13-45', '', '-10m', '10M', '45 s']) {
      assert.throws(
        () => parseSince(bad, now),
        (error: unknown) =>
          error instanceof UsageError &&
          error.exit === 2 &&
          error.code === 'INVALID_SINCE' &&
          error.message ===
            `Invalid --since ${JSON.stringify(bad)}: give a duration such as 30s, 10m, 2h or 1d, or a date and time such as 2026-01-31T14:00:00Z.`,
        bad,
      )
    }
  })
})
