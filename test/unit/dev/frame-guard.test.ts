import assert from 'node:assert/strict'

import {FrameGuard, type FrameViolation} from '../../../src/lib/dev/frame-guard.js'

function header(opcode: number, length: number, fin = true): Buffer {
  const first = (fin ? 0x80 : 0) | opcode
  if (length < 126) return Buffer.from([first, 0x80 | length, 0, 0, 0, 0])
  if (length < 65_536) return Buffer.from([first, 0x80 | 126, length >> 8, length & 0xff, 0, 0, 0, 0])
  const buffer = Buffer.alloc(14)
  buffer[0] = first
  buffer[1] = 0x80 | 127
  buffer.writeBigUInt64BE(BigInt(length), 2)
  return buffer
}

const frame = (opcode: number, length: number, fin = true) =>
  Buffer.concat([header(opcode, length, fin), Buffer.alloc(length)])

function run(chunks: Buffer[], byteByByte = false): FrameViolation[] {
  const seen: FrameViolation[] = []
  const guard = new FrameGuard((kind) => seen.push(kind))
  for (const chunk of chunks) {
    if (byteByByte) for (const byte of chunk) guard.push(Buffer.from([byte]))
    else guard.push(chunk)
  }

  return seen
}

describe('dev frame guard (reference checklist 25)', () => {
  it('lets frames up to 32 KB and messages up to 128 KB through, however the bytes arrive', () => {
    const chunks = [
      frame(1, 32_768),
      frame(1, 32_768, false),
      frame(0, 32_768, false),
      frame(0, 32_768, false),
      frame(0, 32_768),
      frame(9, 125),
    ]
    assert.deepEqual(run(chunks), [])
    assert.deepEqual(run([Buffer.concat(chunks)]), [])
    assert.deepEqual(run(chunks, true), [])
  })

  it('flags a frame over 32 KB from its header alone', () => {
    assert.deepEqual(run([header(1, 32_769)]), ['frame'])
    assert.deepEqual(run([header(1, 2 ** 40)]), ['frame'])
  })

  it('flags a fragmented message over 128 KB', () => {
    const chunks = [
      frame(1, 32_768, false),
      frame(0, 32_768, false),
      frame(0, 32_768, false),
      frame(0, 32_768, false),
      header(0, 1),
    ]
    assert.deepEqual(run(chunks), ['message'])
    assert.deepEqual(run(chunks, true), ['message'])
  })

  it('does not count control frames between fragments', () => {
    const chunks = [
      frame(1, 32_768, false),
      frame(9, 100),
      frame(0, 32_768, false),
      frame(10, 100),
      frame(0, 32_768, false),
      frame(0, 32_768),
    ]
    assert.deepEqual(run(chunks), [])
  })
})
