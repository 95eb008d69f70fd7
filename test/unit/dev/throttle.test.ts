import assert from 'node:assert/strict'

import {StageThrottle, TokenBucket} from '../../../src/lib/dev/throttle.js'

const takes = (bucket: TokenBucket, count: number, now: number) =>
  Array.from({length: count}, () => bucket.take(now)).filter(Boolean).length

describe('dev throttle: API Gateway token buckets', () => {
  it('lets a burst through at once, then the rate per second', () => {
    const bucket = new TokenBucket(2, 5, 0)
    assert.equal(takes(bucket, 10, 0), 5, 'the burst')
    assert.equal(takes(bucket, 10, 499), 0, 'under one token refilled')
    assert.equal(takes(bucket, 10, 1000), 2, 'two a second')
    assert.equal(takes(bucket, 100, 60_000), 5, 'never more than the burst, however long it rested')
  })

  it('a burst limit of 0 refuses everything; a rate of 0 lets the burst through once', () => {
    assert.equal(takes(new TokenBucket(100, 0, 0), 10, 10_000), 0)
    const once = new TokenBucket(0, 3, 0)
    assert.equal(takes(once, 10, 0), 3)
    assert.equal(takes(once, 10, 1e9), 0)
  })

  it("one bucket per route: RouteSettings override the stage's defaults value by value; no settings, no throttle", () => {
    const throttle = new StageThrottle({defaults: {burstLimit: 2, rateLimit: 1}, routes: {chat: {burstLimit: 4}}})
    assert.deepEqual(throttle.limits('chat'), {burstLimit: 4, rateLimit: 1})
    assert.equal(Array.from({length: 10}, () => throttle.allow('chat', 0)).filter(Boolean).length, 4)
    assert.equal(
      Array.from({length: 10}, () => throttle.allow('$default', 0)).filter(Boolean).length,
      2,
      'its own bucket',
    )
    assert.equal(throttle.allow('$connect', 0), true)
    const open = new StageThrottle({defaults: {}, routes: {}})
    assert.equal(open.limits('chat'), undefined)
    assert.ok(Array.from({length: 100_000}, () => open.allow('chat', 0)).every(Boolean))
    assert.deepEqual(
      new StageThrottle({defaults: {rateLimit: 5}, routes: {}}).limits('x'),
      {burstLimit: 5000, rateLimit: 5},
      'the account burst when only the rate is set',
    )
  })
})
