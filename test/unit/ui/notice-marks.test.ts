import assert from 'node:assert/strict'

import {Ansis} from 'ansis'

import {marked} from '../../../src/ui/notice-marks.js'

describe('ui notice marks', () => {
  it('one mark per level, coloured by the colours given', () => {
    const plain = new Ansis(0)
    assert.equal(marked('success', 'done', plain), '✔ done')
    assert.equal(marked('warn', 'careful', plain), '! careful')
    assert.equal(marked('error', 'failed', plain), '✖ failed')
    const tagged = {
      green: (text: string) => `<g>${text}`,
      red: (text: string) => `<r>${text}`,
      yellow: (text: string) => `<y>${text}`,
    }
    assert.deepEqual(
      (['success', 'warn', 'error'] as const).map((level) => marked(level, 'x', tagged)),
      ['<g>✔ x', '<y>! x', '<r>✖ x'],
    )
  })
})
