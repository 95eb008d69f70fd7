import assert from 'node:assert/strict'

import {assessBench, type BenchResult, formatCounts} from '../../../src/lib/bench/assess.js'
import {summarize} from '../../../src/lib/bench/stats.js'

function result(
  overrides: Partial<Omit<BenchResult, 'passed' | 'problems'>> = {},
): Omit<BenchResult, 'passed' | 'problems'> {
  const none = summarize([])
  return {
    connections: {connect: none, dropped: {}, failed: 0, failures: {}, open: 2, requested: 2},
    deliveries: {duplicates: 0, expected: 4, lost: 0, received: 4, unexpected: 0},
    durationMs: 10,
    errorFrames: {byMessage: {}, total: 0},
    latency: {delivery: none, first: none, last: none},
    messages: {complete: 2, lost: 0, partial: 0, planned: 2, sendFailed: 0, sent: 2},
    otherFrames: {samples: [], total: 0},
    settings: {
      clients: 2,
      expect: 'all',
      intervalMs: 0,
      messages: 1,
      rate: 1,
      route: 'sendmessage',
      routeField: 'message',
      senders: 2,
      timeoutMs: 1,
      url: 'ws://h/v1',
    },
    timedOut: false,
    ...overrides,
  }
}

describe('bench assess', () => {
  it('writes counts most frequent first', () => {
    assert.equal(formatCounts({ECONNREFUSED: 1, 'HTTP 403': 3}), 'HTTP 403 ×3, ECONNREFUSED ×1')
    assert.equal(formatCounts({}), '')
  })

  it('a clean run has no problem; loss (unless allowed), failed connects and error frames each are one', () => {
    assert.deepEqual(assessBench(result()), [])
    const lossy = result({
      deliveries: {duplicates: 0, expected: 4, lost: 1, received: 3, unexpected: 0},
      messages: {complete: 1, lost: 0, partial: 1, planned: 2, sendFailed: 0, sent: 2},
    })
    assert.deepEqual(assessBench(lossy), ['1 of 4 deliveries lost (1 of 2 messages did not reach every recipient)'])
    assert.deepEqual(assessBench(lossy, {allowLoss: true}), [])
    const failing = result({
      connections: {connect: summarize([]), dropped: {}, failed: 1, failures: {'HTTP 403': 1}, open: 1, requested: 2},
      errorFrames: {byMessage: {Forbidden: 2}, total: 2},
    })
    assert.deepEqual(assessBench(failing), ['1 of 2 connections failed (HTTP 403 ×1)', '2 error frames (Forbidden ×2)'])
  })
})
