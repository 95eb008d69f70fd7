import assert from 'node:assert/strict'

import {FRAME_PAYLOAD_BYTES, splitUtf8} from '../../../src/lib/connect/frames.js'

describe('connect frames', () => {
  it("a whole client frame (payload plus at most 14 header bytes) stays within API Gateway's 32 KB frame limit", () => {
    assert.equal(FRAME_PAYLOAD_BYTES + 14, 32 * 1024)
  })

  it('splits UTF-8 between characters, into pieces no longer than asked', () => {
    const text = 'aé€😀'.repeat(1000)
    const bytes = Buffer.from(text)
    for (const size of [4, 5, 7, 100, FRAME_PAYLOAD_BYTES]) {
      const pieces = splitUtf8(bytes, size)
      assert.ok(pieces.every((piece) => piece.length <= size && piece.length > 0))
      assert.ok(
        pieces.every((piece) => piece.toString('utf8') === new TextDecoder('utf8', {fatal: true}).decode(piece)),
      )
      assert.equal(Buffer.concat(pieces).toString(), text)
    }

    assert.deepEqual(splitUtf8(Buffer.from('abc'), 10), [Buffer.from('abc')])
    assert.deepEqual(
      splitUtf8(Buffer.from('ab€'), 4).map((piece) => piece.toString()),
      ['ab', '€'],
    )
  })
})
