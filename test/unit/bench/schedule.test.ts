import assert from 'node:assert/strict'
import {performance} from 'node:perf_hooks'

import {paceSenders, ramp} from '../../../src/lib/bench/schedule.js'

describe('bench schedule', () => {
  it('ramp starts every task in order, none before it is due, and waits for all of them', async () => {
    const started = performance.now()
    const starts: Array<[number, number]> = []
    let finished = 0
    await ramp(
      4,
      50,
      async (index) => {
        starts.push([index, performance.now() - started])
        await new Promise((resolve) => setImmediate(resolve))
        finished++
      },
      started,
    )
    assert.deepEqual(
      starts.map(([index]) => index),
      [0, 1, 2, 3],
    )
    // Lower bounds only: at 50/s task i is due 20·i ms after the start; a busy machine only delays it.
    for (const [index, at] of starts) assert.ok(at >= index * 20 - 1, `task ${index} started at ${at} ms`)
    assert.equal(finished, 4)
  })

  it('paceSenders has each sender send its messages in sequence, every sender all of them', async () => {
    const sends: Array<[number, number]> = []
    await paceSenders([7, 3], 3, 5, (sender, sequence) => sends.push([sender, sequence]))
    assert.equal(sends.length, 6)
    for (const sender of [7, 3]) {
      assert.deepEqual(
        sends.filter(([who]) => who === sender).map(([, sequence]) => sequence),
        [0, 1, 2],
      )
    }
  })
})
