import assert from 'node:assert/strict'

import {broadcastComposer, classifyFrame, joinFrame, parseRouteField} from '../../../src/lib/bench/messages.js'

describe('bench messages', () => {
  it('composes {"<routeField>":"<route>","data":{id,sentAt}}, nested fields included', () => {
    const compose = broadcastComposer(['message'], 'sendmessage')
    assert.equal(compose({id: 'r-0-0', sentAt: 12.5}), '{"message":"sendmessage","data":{"id":"r-0-0","sentAt":12.5}}')
    assert.equal(
      broadcastComposer(['meta', 'type'], 'chat')({id: 'x', sentAt: 1}),
      '{"meta":{"type":"chat"},"data":{"id":"x","sentAt":1}}',
    )
    assert.throws(
      () => broadcastComposer(['data'], 'sendmessage'),
      /No message can select route "sendmessage" through field "data"/,
    )
  })

  it('parses --route-field', () => {
    assert.deepEqual(parseRouteField('action'), ['action'])
    assert.deepEqual(parseRouteField('meta.type'), ['meta', 'type'])
    assert.deepEqual(parseRouteField('$request.body.action'), ['action'])
    assert.deepEqual(parseRouteField('items[0]'), ['items', 0])
    assert.throws(() => parseRouteField(''), /Invalid --route-field ""/)
    assert.throws(() => parseRouteField('a b'), /Invalid --route-field "a b"/)
  })

  it("recognises this run's broadcasts, whole or inside data, and nothing else", () => {
    assert.deepEqual(classifyFrame('{"id":"ab12-0-3","sentAt":1}', 'ab12'), {id: 'ab12-0-3', kind: 'broadcast'})
    assert.deepEqual(classifyFrame('{"message":"sendmessage","data":{"id":"ab12-1-0","sentAt":1}}', 'ab12'), {
      id: 'ab12-1-0',
      kind: 'broadcast',
    })
    assert.deepEqual(classifyFrame('{"id":"ff00-0-3","sentAt":1}', 'ab12'), {kind: 'other'}, "another run's broadcast")
    assert.deepEqual(classifyFrame('{"id":"ab12","sentAt":1}', 'ab12'), {kind: 'other'})
    assert.deepEqual(classifyFrame('{"error":"Message has no \\"data\\" field."}', 'ab12'), {kind: 'other'})
    assert.deepEqual(classifyFrame('hello', 'ab12'), {kind: 'other'})
    assert.deepEqual(classifyFrame('null', 'ab12'), {kind: 'other'})
    assert.deepEqual(classifyFrame('[1]', 'ab12'), {kind: 'other'})
  })

  it("recognises API Gateway's error frames by their shape", () => {
    for (const [frame, message] of [
      ['{"message": "Forbidden", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmGEE2RoE0FRdQ="}', 'Forbidden'],
      [
        '{"message": "Internal server error", "connectionId":"Qyi07eCbtjMCJKw=", "requestId":"Qyi3UG41tjMFlUg="}',
        'Internal server error',
      ],
      [
        '{"message": "Endpoint request timed out", "connectionId":"a=", "requestId":"b="}',
        'Endpoint request timed out',
      ],
      ['{"message" : "Bad request body", "connectionId": "a=", "messageId": "b="}', 'Bad request body'],
    ]) {
      assert.deepEqual(classifyFrame(frame, 'ab12'), {kind: 'error', message})
    }

    // A chat message that happens to have a "message" field is not an error frame.
    assert.deepEqual(classifyFrame('{"message":"hi there"}', 'ab12'), {kind: 'other'})
  })

  it('--room: the join frame and room messages follow the route field, the room before data', () => {
    assert.equal(joinFrame(['message'], 'lobby'), '{"message":"join","room":"lobby"}')
    assert.equal(joinFrame(['meta', 'type'], 'a'), '{"meta":{"type":"join"},"room":"a"}')
    assert.equal(
      broadcastComposer(['message'], 'sendmessage', {room: 'a'})({id: 'x', sentAt: 1}),
      '{"message":"sendmessage","room":"a","data":{"id":"x","sentAt":1}}',
    )
  })
})
