import assert from 'node:assert/strict'

import type {ReceivedMessage} from '../../../src/lib/connect/chat-view.js'
import {KeepaliveReplies, looksLikeKeepaliveReply} from '../../../src/lib/connect/keepalive.js'

const message = (text: string, extra: Partial<ReceivedMessage> = {}): ReceivedMessage => ({
  binary: false,
  data: Buffer.from(text),
  text,
  time: new Date(),
  ...extra,
})

describe('connect keepalive', () => {
  it('an error reply (wsapi $default, API Gateway error frame) looks like a keepalive reply; data does not', () => {
    assert.equal(looksLikeKeepaliveReply(message('{"error":"No route matches this message."}')), true)
    assert.equal(looksLikeKeepaliveReply(message('x', {error: {hint: 'h', message: 'Forbidden'}})), true)
    assert.equal(looksLikeKeepaliveReply(message('"a broadcast"')), false)
    assert.equal(looksLikeKeepaliveReply(message('{"data":"error"}')), false)
    assert.equal(looksLikeKeepaliveReply(message('{"error":', {})), false)
    assert.equal(looksLikeKeepaliveReply(message('', {binary: true, data: Buffer.from('{"error":1}')})), false)
  })

  it('hides one reply per keepalive frame, only within the window', () => {
    const replies = new KeepaliveReplies(1000)
    const reply = message('{"error":"No route"}')
    assert.equal(replies.claim(reply, 0), false, 'nothing owed before a keepalive')
    replies.expect(0)
    assert.equal(replies.claim(message('"data"'), 10), false)
    assert.equal(replies.claim(reply, 10), true)
    assert.equal(replies.claim(reply, 20), false, 'one reply per keepalive')
    replies.expect(100)
    assert.equal(replies.claim(reply, 1101), false, 'after the window')
  })
})
