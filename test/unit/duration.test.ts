import assert from 'node:assert/strict'

import {durationForm, parseDuration} from '../../src/lib/duration.js'

const SECONDS = {bare: 's'} as const
const MILLISECONDS = {bare: 'ms', zero: true} as const
const WAIT = {bare: 's', forever: true, zero: true} as const

function rejects(value: string, grammar: Parameters<typeof parseDuration>[1], pattern: RegExp) {
  assert.throws(
    () => parseDuration(value, grammar),
    (error: Error & {code?: string; exit?: number}) => {
      assert.match(error.message, pattern)
      assert.equal(error.exit, 2)
      assert.equal(error.code, 'INVALID_DURATION')
      assert.ok(!error.message.includes('\n'), 'one line')
      return true
    },
  )
}

describe('parseDuration: one grammar for every duration flag', () => {
  it('reads ms, s, m, h and d, decimals too, in every grammar alike', () => {
    for (const grammar of [SECONDS, MILLISECONDS, WAIT]) {
      assert.equal(parseDuration('500ms', grammar), 500)
      assert.equal(parseDuration('1.5s', grammar), 1500)
      assert.equal(parseDuration('30s', grammar), 30_000)
      assert.equal(parseDuration('10m', grammar), 600_000)
      assert.equal(parseDuration('2h', grammar), 7_200_000)
      assert.equal(parseDuration(' 2h ', grammar), 7_200_000)
      assert.equal(parseDuration('1d', grammar), 86_400_000)
    }
  })

  it('keeps the unit each flag always had for a bare number', () => {
    assert.equal(parseDuration('600', SECONDS), 600_000)
    assert.equal(parseDuration('0.5', SECONDS), 500)
    assert.equal(parseDuration('200', MILLISECONDS), 200)
    assert.equal(parseDuration('2', WAIT), 2000)
  })

  it('allows 0 only where the flag does, and -1 (until closed) only for a wait', () => {
    assert.equal(parseDuration('0', MILLISECONDS), 0)
    assert.equal(parseDuration('0s', WAIT), 0)
    rejects(
      '0',
      SECONDS,
      /^give a positive duration such as 500ms, 30s, 10m or 2h \(a bare number is seconds\), not "0"$/,
    )
    rejects('0.1ms', SECONDS, /positive duration/)
    assert.equal(parseDuration('-1', WAIT), Number.POSITIVE_INFINITY)
    rejects('-1', SECONDS, /not "-1"/)
    rejects(
      '-2',
      WAIT,
      /^give a duration such as 500ms, 30s, 10m or 2h \(a bare number is seconds; -1: until the server closes\), not "-2"$/,
    )
  })

  it('refuses anything else, saying what form is expected', () => {
    for (const value of ['', 'soon', '5 minutes', '1w', '10 m', '10M', '1e3', '-5s', '0x10', 'ms']) {
      rejects(
        value,
        SECONDS,
        /^give a positive duration such as 500ms, 30s, 10m or 2h \(a bare number is seconds\), not /,
      )
    }

    rejects('fast', MILLISECONDS, /\(a bare number is milliseconds\), not "fast"$/)
  })

  it('refuses a duration longer than a timer can wait (it would fire at once)', () => {
    assert.equal(parseDuration('596h', SECONDS), 2_145_600_000)
    for (const value of ['597h', '600h', '9999999999'])
      rejects(value, SECONDS, /^give at most 596h \(a longer timer would fire at once\), not /)
  })

  it('takes a limit of its own where a duration is no timer, and may require a unit', () => {
    const ttl = {bare: 's', maxMs: 30 * 86_400_000} as const
    assert.equal(parseDuration('30d', ttl), 2_592_000_000)
    rejects('31d', ttl, /^give at most 30d, not "31d"$/)
    const since = {maxMs: Number.POSITIVE_INFINITY}
    assert.equal(parseDuration('400d', since), 400 * 86_400_000)
    rejects('10', since, /^give a positive duration such as 500ms, 30s, 10m or 2h, not "10"$/)
  })

  it('describes its form for messages', () => {
    assert.equal(durationForm(MILLISECONDS), 'a duration such as 500ms, 30s, 10m or 2h (a bare number is milliseconds)')
  })
})
