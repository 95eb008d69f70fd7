import assert from 'node:assert/strict'

import {sleep} from '../../../src/lib/logs/sleep.js'

describe('logs: sleep', () => {
  it('resolves true once the time has passed', async () => {
    assert.equal(await sleep(1), true)
  })

  it('resolves false at once when the signal is already aborted, and when it aborts while waiting', async () => {
    assert.equal(await sleep(60_000, AbortSignal.abort()), false)
    const controller = new AbortController()
    const waiting = sleep(60_000, controller.signal)
    controller.abort()
    assert.equal(await waiting, false)
  })
})
