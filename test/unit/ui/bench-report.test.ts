import assert from 'node:assert/strict'

import type {BenchProgress} from '../../../src/lib/bench/index.js'
import {progressLine} from '../../../src/ui/bench-report.js'

const base: BenchProgress = {
  clients: 10,
  connected: 0,
  expected: 0,
  failed: 0,
  phase: 'connecting',
  planned: 10,
  received: 0,
  sent: 0,
}

describe('bench progress line', () => {
  it('never goes backwards when the phase changes', () => {
    const reports: BenchProgress[] = [
      {...base},
      {...base, connected: 5},
      {...base, connected: 10},
      {...base, connected: 10, joined: 0, phase: 'joining'},
      {...base, connected: 10, joined: 10, phase: 'joining'},
      {...base, connected: 10, phase: 'sending'},
      {...base, connected: 10, expected: 30, phase: 'sending', received: 30, sent: 3},
      {...base, connected: 10, expected: 100, phase: 'sending', received: 90, sent: 10},
      // all sent, 28 of 100 delivered: the bar was at 30 % of the sends before
      {...base, connected: 10, expected: 100, phase: 'waiting', received: 28, sent: 10},
      {...base, connected: 10, expected: 100, phase: 'waiting', received: 100, sent: 10},
      {...base, connected: 10, expected: 100, phase: 'closing', received: 100, sent: 10},
    ]
    const fractions = reports.map((report) => progressLine(report).fraction)
    for (let i = 1; i < fractions.length; i++)
      assert.ok(fractions[i] >= fractions[i - 1], `${reports[i].phase}: ${fractions.join(' → ')}`)
    assert.equal(fractions[0], 0)
    assert.equal(fractions.at(-1), 1)
  })

  it('labels each phase with its own counts', () => {
    assert.match(progressLine({...base, connected: 4, failed: 1}).label, /connecting 4\/10 clients/)
    assert.match(
      progressLine({...base, connected: 8, joined: 3, phase: 'joining'}).label,
      /joining 3\/8 clients to the room/,
    )
    assert.match(
      progressLine({...base, expected: 30, phase: 'sending', received: 20, sent: 3}).label,
      /sending 3\/10 messages · 20\/30 delivered/,
    )
  })
})
