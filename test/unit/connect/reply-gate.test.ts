import assert from 'node:assert/strict'

import {answersMembership, ReplyGate} from '../../../src/lib/connect/reply-gate.js'
import type {InputAction} from '../../../src/lib/connect/slash.js'

const line = (text: string): InputAction => ({kind: 'line', line: text})

describe('connect reply gate', () => {
  it('knows the replies to /join and /leave: the room joined or left, an error, an API Gateway error frame', () => {
    assert.ok(answersMembership('join', 'a', '{"joined":"a"}'))
    assert.ok(answersMembership('leave', 'a', '{"left":"a"}'))
    assert.ok(answersMembership('join', 'a', '{"error":"Invalid room name"}'))
    assert.ok(answersMembership('join', 'a', '{"message": "Forbidden", "connectionId":"X=", "requestId":"R="}'))
    for (const text of [
      '{"joined":"b"}',
      '{"left":"a"}',
      '{"room":"a","from":"X=","data":"hi"}',
      '"a broadcast"',
      'hello',
      '[1]',
      'null',
    ]) {
      assert.equal(answersMembership('join', 'a', text), false, text)
    }
  })

  it('holds what comes after an awaited reply and performs it, in order, once the reply arrives; then says it is idle', () => {
    const performed: string[] = []
    let idle = 0
    const gate = new ReplyGate(
      (action) => {
        performed.push(action.kind === 'line' ? action.line : action.kind)
        if (action.kind === 'line' && action.line.startsWith('join'))
          gate.await((text) => text === `joined ${action.line.slice(5)}`)
      },
      () => idle++,
    )
    gate.submit(line('join a'))
    gate.submit(line('to a'))
    gate.submit(line('join b'))
    gate.submit(line('to b'))
    assert.deepEqual(performed, ['join a'])
    assert.equal(gate.open, false)
    gate.received('something else')
    assert.deepEqual(performed, ['join a'])
    gate.received('joined a')
    // The second join is awaited in turn: what follows it stays held.
    assert.deepEqual(performed, ['join a', 'to a', 'join b'])
    assert.equal(idle, 0)
    gate.received('joined b')
    assert.deepEqual(performed, ['join a', 'to a', 'join b', 'to b'])
    assert.equal(idle, 1)
    assert.ok(gate.open)
    gate.submit(line('later'))
    assert.deepEqual(performed.at(-1), 'later')
  })

  it('lets the held actions go when no reply comes in time, after saying so', async () => {
    const performed: string[] = []
    const timedOut: number[] = []
    const idle = new Promise<void>((resolve) => {
      const gate = new ReplyGate((action) => performed.push(action.kind), resolve, 20)
      gate.submit({kind: 'whoami'})
      gate.await(
        () => false,
        (ms) => timedOut.push(ms),
      )
      gate.submit({kind: 'quit'})
    })
    await idle
    assert.deepEqual(performed, ['whoami', 'quit'])
    assert.deepEqual(timedOut, [20])
  })

  it('stop drops what is held', () => {
    const performed: string[] = []
    const gate = new ReplyGate(
      (action) => performed.push(action.kind),
      () => performed.push('idle'),
    )
    gate.await(() => true)
    gate.submit({kind: 'whoami'})
    gate.stop()
    gate.received('anything')
    assert.deepEqual(performed, [])
    assert.ok(gate.open)
  })
})
