import assert from 'node:assert/strict'

import {RecordingOutput, silentOutput} from '../../src/lib/output.js'

describe('output', () => {
  it('RecordingOutput keeps every line with its level, in order', () => {
    const output = new RecordingOutput()
    output.info('building')
    output.debug('esbuild 0.28')
    output.warn('no tests')
    output.success('built')
    output.error('failed')
    assert.deepEqual(output.lines, [
      {level: 'info', message: 'building'},
      {level: 'debug', message: 'esbuild 0.28'},
      {level: 'warn', message: 'no tests'},
      {level: 'success', message: 'built'},
      {level: 'error', message: 'failed'},
    ])
  })

  it('text() joins the messages of the levels asked for, or of all', () => {
    const output = new RecordingOutput()
    output.info('a')
    output.warn('b')
    output.error('c')
    assert.equal(output.text(), 'a\nb\nc')
    assert.equal(output.text('warn', 'error'), 'b\nc')
    assert.equal(output.text('success'), '')
  })

  it('silentOutput takes every level and keeps nothing', () => {
    for (const level of ['debug', 'info', 'success', 'warn', 'error'] as const)
      assert.equal(silentOutput[level]('x'), undefined)
  })
})
