import assert from 'node:assert/strict'

import {countBy, percentile, summarize} from '../../../src/lib/bench/stats.js'

const oneToHundred = Array.from({length: 100}, (_, i) => i + 1)

describe('bench statistics', () => {
  it('takes percentiles by nearest rank: always a measured value', () => {
    assert.equal(percentile(oneToHundred, 50), 50)
    assert.equal(percentile(oneToHundred, 95), 95)
    assert.equal(percentile(oneToHundred, 99), 99)
    assert.equal(percentile(oneToHundred, 100), 100)
    assert.equal(percentile(oneToHundred, 0), 1)
    // 10 values: p95 and p99 are both the 10th (ceil(9.5) = ceil(9.9) = 10), p50 the 5th, not 5.5.
    const ten = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert.equal(percentile(ten, 50), 50)
    assert.equal(percentile(ten, 90), 90)
    assert.equal(percentile(ten, 95), 100)
    assert.equal(percentile([7], 99), 7)
    assert.equal(percentile([], 50), undefined)
    assert.throws(() => percentile(ten, 101), RangeError)
    assert.throws(() => percentile(ten, Number.NaN), RangeError)
  })

  it('summarizes unsorted samples numerically (not as text) and rounds to microseconds', () => {
    const samples = [...oneToHundred].reverse()
    samples.push(1000, 2.5)
    // sorted: 1, 2, 2.5, 3, 4, …, 100, 1000 (102 values)
    assert.deepEqual(summarize(samples), {count: 102, max: 1000, mean: 59.338, min: 1, p50: 50, p95: 96, p99: 100})
    assert.deepEqual(summarize([1.234_56]), {
      count: 1,
      max: 1.235,
      mean: 1.235,
      min: 1.235,
      p50: 1.235,
      p95: 1.235,
      p99: 1.235,
    })
    assert.deepEqual(summarize([9, 10, 100]), {count: 3, max: 100, mean: 39.667, min: 9, p50: 10, p95: 100, p99: 100})
    assert.deepEqual(summarize([]), {count: 0, max: null, mean: null, min: null, p50: null, p95: null, p99: null})
  })

  it('counts occurrences by key', () => {
    assert.deepEqual(
      countBy(['HTTP 403', 'ECONNREFUSED', 'HTTP 403'], (reason) => reason),
      {ECONNREFUSED: 1, 'HTTP 403': 2},
    )
    assert.deepEqual(countBy([], String), {})
  })
})
