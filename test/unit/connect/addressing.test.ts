import assert from 'node:assert/strict'

import {
  audienceFields,
  audienceLabel,
  describeAudience,
  EVERYONE,
  messageOrigin,
  originLabel,
} from '../../../src/lib/connect/addressing.js'

describe('connect addressing', () => {
  it('an audience gives the frame its fields, the prompt its label, the confirmation its words', () => {
    const room = {kind: 'room', room: 'lobby'} as const
    const connection = {kind: 'connection', recipient: 'abc='} as const
    assert.deepEqual(
      [audienceFields(EVERYONE), audienceFields(room), audienceFields(connection)],
      [{}, {room: 'lobby'}, {to: 'abc='}],
    )
    assert.deepEqual(
      [audienceLabel(EVERYONE), audienceLabel(room), audienceLabel(connection)],
      [undefined, '[lobby]', '@abc='],
    )
    assert.deepEqual(
      [describeAudience(EVERYONE), describeAudience(room), describeAudience(connection)],
      ['everyone', 'room lobby', 'connection abc='],
    )
  })

  it('a frame with a room came from that room; one with to and from is direct; other shapes have no origin', () => {
    assert.deepEqual(messageOrigin('{"room":"a","from":"X1=","data":"hi"}'), {from: 'X1=', kind: 'room', room: 'a'})
    assert.deepEqual(messageOrigin(' {"room":"a","data":{"n":1}}'), {kind: 'room', room: 'a'})
    assert.deepEqual(messageOrigin('{"to":"me","from":"X1=","data":"psst"}'), {from: 'X1=', kind: 'direct'})
    for (const text of [
      '"a broadcast"',
      'hello',
      '[1]',
      '{"room":7}',
      '{"room":""}',
      '{"to":"me","data":1}',
      '{"joined":"a"}',
      '{"room":',
      'null',
    ]) {
      assert.equal(messageOrigin(text), undefined, text)
    }

    assert.equal(originLabel({kind: 'room', room: 'lobby'}), '[lobby]')
    assert.equal(originLabel({kind: 'direct'}), '[direct]')
    const long = messageOrigin(JSON.stringify({data: 1, room: 'r'.repeat(200)}))
    assert.equal(long?.kind === 'room' && long.room.length, 64, 'a long room name is cut for the label')
  })
})
