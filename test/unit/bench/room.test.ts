import assert from 'node:assert/strict'
import {EventEmitter} from 'node:events'

import type {BenchClient} from '../../../src/lib/bench/clients.js'
import {joinRefusal, RoomJoins} from '../../../src/lib/bench/room.js'
import {apiGatewayErrorFrame} from '../../helpers/ws-servers.js'

/** A socket that records what is sent and closes on demand. */
class FakeSocket extends EventEmitter {
  readonly sent: string[] = []

  send(text: string, callback: (error?: Error) => void): void {
    this.sent.push(text)
    callback()
  }
}

const client = (index: number): BenchClient & {socket: FakeSocket} =>
  ({closing: false, index, socket: new FakeSocket()}) as never

describe('bench room', () => {
  it('a reply is a refusal when it is an error frame or an error reply; anything else joins', () => {
    assert.equal(joinRefusal('{"joined":"a"}'), undefined)
    assert.equal(joinRefusal('"welcome"'), undefined)
    assert.equal(joinRefusal(apiGatewayErrorFrame('Forbidden')), 'Forbidden')
    assert.equal(joinRefusal('{"error":"Room names are 1-64 characters"}'), 'error reply')
    assert.equal(joinRefusal(undefined), 'binary reply')
  })

  it('sends the join frame, takes the reply to it (and only while it waits), and reports who joined and why not', async () => {
    const joins = new RoomJoins('a', '{"message":"join","room":"a"}', 60_000)
    const [ok, refused, closed] = [client(0), client(1), client(2)]
    const joined = [ok, refused, closed].map((each) => joins.join(each))
    assert.deepEqual(ok.socket.sent, ['{"message":"join","room":"a"}'])
    assert.equal(joins.take(ok, '{"joined":"a"}'), true)
    assert.equal(joins.take(ok, '{"joined":"a"}'), false, 'no join pending any more')
    assert.equal(joins.take(refused, apiGatewayErrorFrame('Forbidden')), true)
    closed.socket.emit('close')
    await Promise.all(joined)
    assert.deepEqual([...joins.members], [0])
    assert.deepEqual(joins.report(), {failures: {Forbidden: 1, closed: 1}, joined: 1, name: 'a', tried: 3})
  })

  it('no reply within the timeout is a failed join', async () => {
    const joins = new RoomJoins('a', 'join', 1)
    await joins.join(client(0))
    assert.deepEqual(joins.report().failures, {'no reply': 1})
  })
})
