import assert from 'node:assert/strict'

import {EVERYONE} from '../../../src/lib/connect/addressing.js'
import {
  describeFraming,
  historyListing,
  openedNotice,
  progressText,
  quitNotice,
  retryNotice,
} from '../../../src/lib/connect/chat-view.js'
import {MessageBuilder} from '../../../src/lib/connect/message.js'

describe('connect chat view', () => {
  const open = {connection: 1, extensions: '', ms: 12.4, protocol: '', url: 'ws://127.0.0.1:9/v1?token=secret'}

  it('says where it connected, how fast, with which subprotocol; a reconnect names the connection', () => {
    assert.equal(
      openedNotice(open, 'dev'),
      'Connected to ws://127.0.0.1:9/v1?token=*** (wsapi dev) in 12 ms · no subprotocol',
    )
    assert.equal(
      openedNotice({...open, connection: 3, protocol: 'chat'}, 'argument'),
      'Reconnected to ws://127.0.0.1:9/v1?token=*** in 12 ms · subprotocol chat (connection 3)',
    )
  })

  it('describes what a plain line becomes: as typed with --send-raw, the seed frames named as such, the template as is', () => {
    const builder = new MessageBuilder({route: 'sendmessage'})
    assert.equal(describeFraming('raw', builder, EVERYONE), 'Lines are sent as typed (--send-raw)')
    const shape = builder.describe({})
    assert.match(shape, /"message":"sendmessage"/)
    assert.equal(describeFraming('template', builder, EVERYONE), shape)
    assert.equal(
      describeFraming('seed', builder, EVERYONE),
      `${shape} (the seed's frames: no template.yaml here; --send-raw sends lines as typed)`,
    )
    assert.match(describeFraming('flags', builder, {kind: 'room', room: 'lobby'}), /"room":"lobby"/)
  })

  it('/history lists the last lines numbered as typed, or says there are none', () => {
    assert.equal(historyListing([], 20), 'No history yet.')
    assert.equal(historyListing(['a', 'b', 'c'], 2), '   2  b\n   3  c')
    assert.equal(historyListing(['a'], 20), '   1  a')
  })

  it('progress is said only with --count', () => {
    assert.equal(progressText(undefined, 2), '')
    assert.equal(progressText(3, 1), ', with 1 of 3 messages received')
  })

  it('a retry says why, when and which attempt; a quit says how it closed or that no connection was open', () => {
    assert.equal(retryNotice('refused', 1500, 2), 'refused; reconnecting in 1.5 s (attempt 2)')
    assert.equal(quitNotice({byUser: true, code: 1000, reason: ''}).startsWith('Disconnected: '), true)
    assert.match(quitNotice({byUser: true, code: 1000, reason: 'bye'}), /1000/)
    assert.equal(
      quitNotice({byUser: true, code: 1000, reason: '', whileReconnecting: true}),
      'Stopped while reconnecting (no connection was open).',
    )
  })
})
