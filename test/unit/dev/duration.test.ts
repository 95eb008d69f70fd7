import assert from 'node:assert/strict'

import {parseDuration} from '../../../src/lib/dev/duration.js'

describe('dev durations', () => {
  it('reads seconds by default and ms, s, m, h suffixes', () => {
    assert.equal(parseDuration('x', '600'), 600_000)
    assert.equal(parseDuration('x', '1.5s'), 1500)
    assert.equal(parseDuration('x', '250ms'), 250)
    assert.equal(parseDuration('x', '10m'), 600_000)
    assert.equal(parseDuration('x', '2h'), 7_200_000)
  })

  it('refuses anything else with a usage error', () => {
    for (const value of ['', '0', '-1', 'soon', '5 minutes', '1d']) assert.throws(() => parseDuration('idle-timeout', value), /Invalid --idle-timeout/)
  })

  it('refuses a duration longer than a timer can wait (it would fire at once and close every connection)', () => {
    assert.equal(parseDuration('x', '596h'), 2_145_600_000)
    for (const value of ['597h', '600h', '9999999999']) assert.throws(() => parseDuration('max-duration', value), /Invalid --max-duration .*at most 596h/)
  })
})
