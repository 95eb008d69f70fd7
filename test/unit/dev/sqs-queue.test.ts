import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'

import {attributesMd5, LocalQueue} from '../../../src/lib/dev/sqs-queue.js'

/** A queue on a clock the test moves. */
function queue() {
  const clock = {now: 1_000_000}
  const settings = {messageRetentionSeconds: 60, receiveWaitSeconds: 0, visibilityTimeoutSeconds: 30}
  return {
    clock,
    queue: new LocalQueue(
      'dlq',
      'arn:aws:sqs:us-east-1:000000000000:dlq',
      'http://127.0.0.1:1/000000000000/dlq',
      settings,
      () => clock.now,
    ),
  }
}

describe('dev: one SQS queue', () => {
  it("answers a send with the body's MD5 (and the attributes' when there are some), as SQS does", () => {
    const {queue: q} = queue()
    const sent = q.send('hello')
    assert.equal(sent.MD5OfMessageBody, createHash('md5').update('hello').digest('hex'))
    assert.equal(sent.MD5OfMessageAttributes, undefined)
    assert.match(sent.MessageId, /^[\da-f-]{36}$/)
    const attributes = {kind: {DataType: 'String', StringValue: 'shard'}}
    assert.equal(q.send('with', attributes).MD5OfMessageAttributes, attributesMd5(attributes))
    assert.equal(q.send('empty', {}).MD5OfMessageAttributes, undefined)
  })

  it('hands out visible messages oldest first, up to the number asked for', () => {
    const {queue: q} = queue()
    for (const body of ['one', 'two', 'three']) q.send(body)
    assert.deepEqual(
      q.take(2).map((message) => message.body),
      ['one', 'two'],
    )
    assert.deepEqual(
      q.take(10).map((message) => message.body),
      ['three'],
    )
  })

  it('hides a received message for the visibility timeout, then shows it again with its receive count', () => {
    const {clock, queue: q} = queue()
    q.send('one')
    const [first] = q.take(10)
    const firstHandle = first.receiptHandle
    assert.equal(first.receiveCount, 1)
    assert.equal(first.firstReceivedAt, 1_000_000)
    assert.deepEqual(q.counts(), {invisible: 1, visible: 0})
    assert.deepEqual(q.take(10), [])
    clock.now += 29_999
    assert.deepEqual(q.take(10), [])
    clock.now += 1
    const [again] = q.take(10)
    assert.equal(again.receiveCount, 2)
    assert.equal(again.firstReceivedAt, 1_000_000)
    assert.notEqual(again.receiptHandle, firstHandle)
  })

  it('takes a visibility timeout per receive', () => {
    const {clock, queue: q} = queue()
    q.send('one')
    q.take(1, 0)
    assert.equal(q.take(1).length, 1)
    clock.now += 30_000
    assert.equal(q.take(1).length, 1)
  })

  it('deletes by receipt handle; a second delete of the same handle still succeeds, a made-up one does not', () => {
    const {queue: q} = queue()
    q.send('one')
    const [message] = q.take(1)
    assert.equal(q.delete(message.receiptHandle!), true)
    assert.equal(q.delete(message.receiptHandle!), true)
    assert.equal(q.delete('not-a-handle'), false)
    assert.deepEqual(q.counts(), {invisible: 0, visible: 0})
  })

  it('drops messages past the retention period, and all of them when purged', () => {
    const {clock, queue: q} = queue()
    q.send('old')
    clock.now += 61_000
    q.send('new')
    assert.deepEqual(q.counts(), {invisible: 0, visible: 1})
    assert.deepEqual(
      q.take(10).map((message) => message.body),
      ['new'],
    )
    q.send('newer')
    q.purge()
    assert.deepEqual(q.counts(), {invisible: 0, visible: 0})
  })

  it('wakes a long poll when a message arrives, and every long poll when the server stops', async () => {
    const {queue: q} = queue()
    const waiting = q.waitForMessage(600_000)
    q.send('wake up')
    await waiting
    assert.equal(q.take(1).length, 1)
    const stopping = [q.waitForMessage(600_000), q.waitForMessage(600_000)]
    q.wakeAll()
    await Promise.all(stopping)
  })

  it('computes MD5OfMessageAttributes over names in order, types and length-prefixed values', () => {
    // Name, type, transport byte and value, each length-prefixed (SQS developer guide, message metadata).
    const prefixed = (data: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, data.length]), data])
    const text = (value: string) => prefixed(Buffer.from(value))
    const expected = createHash('md5')
      .update(
        Buffer.concat([
          text('a'),
          text('String'),
          Buffer.from([1]),
          text('x'),
          text('b'),
          text('Binary'),
          Buffer.from([2]),
          prefixed(Buffer.from([0xff, 0x00])),
        ]),
      )
      .digest('hex')
    assert.equal(
      attributesMd5({
        b: {BinaryValue: Buffer.from([0xff, 0x00]).toString('base64'), DataType: 'Binary'},
        a: {DataType: 'String', StringValue: 'x'},
      }),
      expected,
    )
  })
})
