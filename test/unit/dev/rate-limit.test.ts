import assert from 'node:assert/strict'

import {ACCOUNT_THROTTLE, parseConnectionsRateLimit, TokenBucket} from '../../../src/lib/dev/rate-limit.js'

describe('dev: the account-level @connections rate limit', () => {
  it('lets the burst through at once, then the rate', () => {
    let now = 0
    const bucket = new TokenBucket({burst: 5, ratePerSecond: 10}, () => now)
    const taken = Array.from({length: 8}, () => bucket.take())
    assert.deepEqual(taken, [true, true, true, true, true, false, false, false])
    now = 99 // 0.99 of a token
    assert.equal(bucket.take(), false)
    now = 100
    assert.equal(bucket.take(), true)
    assert.equal(bucket.take(), false)
  })

  it('refills to the burst, never beyond it', () => {
    let now = 0
    const bucket = new TokenBucket({burst: 3, ratePerSecond: 1000}, () => now)
    now = 60_000
    assert.deepEqual(
      Array.from({length: 4}, () => bucket.take()),
      [true, true, true, false],
    )
  })

  it("defaults to API Gateway's 10,000 per second with a burst of 5,000", () => {
    let now = 0
    const bucket = new TokenBucket(ACCOUNT_THROTTLE, () => now)
    let granted = 0
    while (bucket.take()) granted += 1
    assert.equal(granted, 5000)
    now = 1000
    while (bucket.take()) granted += 1
    assert.equal(granted, 10_000, 'one second later, the bucket is full again (5,000, capped at the burst)')
  })

  it('parses the flags: a rate and a burst, or off', () => {
    assert.deepEqual(parseConnectionsRateLimit('10000', 5000), {burst: 5000, ratePerSecond: 10_000})
    assert.deepEqual(parseConnectionsRateLimit('0.5', 1), {burst: 1, ratePerSecond: 0.5})
    assert.equal(parseConnectionsRateLimit('off', 5000), undefined)
    for (const [rate, burst] of [
      ['0', 5],
      ['-1', 5],
      ['fast', 5],
      ['10', 0],
      ['10', 1.5],
    ] as const) {
      assert.throws(
        () => parseConnectionsRateLimit(rate, burst),
        (error: Error & {exit?: number}) => error.exit === 2 && /--connections-(rate|burst)-limit/.test(error.message),
      )
    }
  })
})
