import assert from 'node:assert/strict'

import {ConnectionsRateGate} from '../../../src/lib/dev/connections-rate.js'
import {TokenBucket} from '../../../src/lib/dev/rate-limit.js'

/** A gate over a bucket whose clock stands still (no token comes back), and the lines it logs, each announced. */
function gate(burst: number) {
  const lines: string[] = []
  const waiters: Array<() => void> = []
  const rate = new ConnectionsRateGate(new TokenBucket({burst, ratePerSecond: 10}, () => 0), (line) => {
    lines.push(line)
    for (const wake of waiters.splice(0)) wake()
  })
  const nextLine = () => new Promise<string>((resolve) => waiters.push(() => resolve(lines.at(-1)!)))
  return {lines, nextLine, rate}
}

describe('dev: the account throttle on @connections calls', () => {
  it('lets the burst through, then refuses; the first refusal is logged at once, naming the limit and the flags', () => {
    const {lines, rate} = gate(2)
    try {
      assert.deepEqual([rate.take(), rate.take(), rate.take()], [true, true, false])
      assert.deepEqual(lines, [
        '@connections: calls over the account rate of 10/s, burst 2, get 429 LimitExceededException (--connections-rate-limit, --connections-burst-limit)',
      ])
    } finally {
      rate.close()
    }
  })

  it("counts the refusals of each second (the first one's too) and logs them as one line, not one line each", async () => {
    const {lines, nextLine, rate} = gate(0)
    try {
      assert.equal(rate.take(), false)
      const counted = nextLine()
      assert.deepEqual([rate.take(), rate.take()], [false, false])
      assert.equal(lines.length, 1)
      assert.equal(await counted, '@connections: 3 calls throttled (429 LimitExceededException) in the last second')
      const single = nextLine()
      rate.take()
      assert.equal(await single, '@connections: 1 call throttled (429 LimitExceededException) in the last second')
    } finally {
      rate.close()
    }
  })
})
