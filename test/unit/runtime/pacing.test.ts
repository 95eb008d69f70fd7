import assert from 'node:assert/strict'

import {ForbiddenException, GoneException, LimitExceededException} from '@aws-sdk/client-apigatewaymanagementapi'

import {backoffMs, isThrottled, isTransient, Pacer} from '../../../runtime/pacing.js'

/** A clock that only moves when someone sleeps, so that pacing is measured exactly and never depends on the machine. */
function fakeTime() {
  const time = {now: 0, sleeps: [] as number[]}
  return {
    clock: () => time.now,
    async sleep(ms: number) {
      time.sleeps.push(ms)
      time.now += ms
    },
    time,
  }
}

describe('runtime pacing', () => {
  describe('Pacer', () => {
    it('lets a burst through at once, then one call per interval', async () => {
      const {clock, sleep, time} = fakeTime()
      const pacer = new Pacer({burst: 5, clock, ratePerSecond: 100, sleep})
      const startedAt: number[] = []
      for (let call = 0; call < 25; call++) {
        await pacer.take()
        startedAt.push(time.now)
      }

      assert.deepEqual(startedAt.slice(0, 5), [0, 0, 0, 0, 0])
      // 100 per second: 10 ms apart after the burst.
      assert.deepEqual(
        startedAt.slice(5).map((at, index) => at - (startedAt[index + 4] ?? 0)),
        Array.from({length: 20}, () => 10),
      )
    })

    it('queues concurrent callers in order, none past its own slot', async () => {
      // All ten ask at the same instant: the clock stays put while they wait.
      const waits: number[] = []
      const pacer = new Pacer({burst: 1, clock: () => 0, ratePerSecond: 50, sleep: async (ms) => void waits.push(ms)})
      await Promise.all(Array.from({length: 10}, () => pacer.take()))
      // A budget of 50/s with a burst of 1: the first goes at once, the last waits 9 intervals of 20 ms.
      assert.deepEqual(waits, [20, 40, 60, 80, 100, 120, 140, 160, 180])
    })

    it('refills while nobody calls', async () => {
      const {clock, sleep, time} = fakeTime()
      const pacer = new Pacer({burst: 2, clock, ratePerSecond: 10, sleep})
      await pacer.take()
      await pacer.take()
      await pacer.take()
      assert.deepEqual(time.sleeps, [100])
      time.now += 1000
      await pacer.take()
      await pacer.take()
      assert.deepEqual(time.sleeps, [100], 'a full bucket again after a quiet second')
    })

    it('takes a tenth of a second of calls as its burst unless told', () => {
      assert.equal(new Pacer({ratePerSecond: 9000}).burst, 900)
      assert.equal(new Pacer({ratePerSecond: 3}).burst, 1)
    })
  })

  describe('backoffMs', () => {
    it('waits a random time below min(cap, base × 2^attempt)', () => {
      const top = () => 0.999_999
      assert.deepEqual(
        [0, 1, 2, 3, 4, 5, 6, 40].map((attempt) => backoffMs(attempt, {random: top})),
        [49, 99, 199, 399, 799, 1599, 1999, 1999],
      )
      assert.equal(backoffMs(5, {random: () => 0}), 0)
      assert.equal(backoffMs(1, {baseMs: 10, capMs: 15, random: () => 0.5}), 7)
    })

    it('spreads the retries of workers throttled at the same moment', () => {
      const waits = new Set(Array.from({length: 50}, () => backoffMs(4)))
      assert.ok(waits.size > 10, `only ${waits.size} distinct waits`)
    })
  })

  describe('error classes', () => {
    it('recognises 429 LimitExceededException as throttling, and only it', () => {
      assert.ok(
        isThrottled(new LimitExceededException({$metadata: {httpStatusCode: 429}, message: 'Too Many Requests'})),
      )
      assert.ok(isThrottled({$metadata: {httpStatusCode: 429}, name: 'Unknown'}))
      assert.ok(!isThrottled(new GoneException({$metadata: {httpStatusCode: 410}, message: 'Gone'})))
      assert.ok(!isThrottled(new Error('LimitExceededException')))
    })

    it('retries 5xx and lost sockets, not 4xx', () => {
      assert.ok(isTransient({$metadata: {httpStatusCode: 503}, name: 'ServiceUnavailable'}))
      assert.ok(isTransient(Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'})))
      assert.ok(isTransient(Object.assign(new Error('timed out'), {name: 'TimeoutError'})))
      assert.ok(!isTransient(new ForbiddenException({$metadata: {httpStatusCode: 403}, message: 'Forbidden'})))
      assert.ok(!isTransient(new Error('boom')))
    })
  })
})
