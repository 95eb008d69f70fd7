import assert from 'node:assert/strict'

import {WebSocket} from 'ws'

import {BenchClients, connectFailureReason} from '../../../src/lib/bench/clients.js'
import {startRejectingServer, startServer, type TestServer} from '../../helpers/ws-servers.js'

describe('bench clients', () => {
  let server: TestServer | undefined
  afterEach(async () => server?.close())

  it('names connect failures by handshake status, timeout or error code', () => {
    assert.equal(connectFailureReason(new Error('Unexpected server response: 403')), 'HTTP 403')
    assert.equal(connectFailureReason(new Error('Opening handshake has timed out')), 'timeout')
    assert.equal(
      connectFailureReason(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {code: 'ECONNREFUSED'})),
      'ECONNREFUSED',
    )
  })

  it('opens clients, hands every frame to onMessage, reports open and dropped, and closes them all', async () => {
    server = await startServer({}, (socket) => socket.send('hello'))
    const frames: Array<[number, string]> = []
    let arrived: () => void
    const allArrived = new Promise<void>((resolve) => (arrived = resolve))
    const clients = new BenchClients(3, WebSocket, {
      hideToken: (text) => text,
      onMessage(client, data) {
        frames.push([client.index, data.toString()])
        if (frames.length === 3) arrived()
      },
      timeoutMs: 10_000,
      url: server.url,
    })
    await Promise.all([0, 1, 2].map((index) => clients.connect(index)))
    assert.deepEqual([...clients.open].sort(), [0, 1, 2])
    await allArrived
    assert.deepEqual(frames.sort(), [
      [0, 'hello'],
      [1, 'hello'],
      [2, 'hello'],
    ])
    // One connection closed by the server before the run closes them: a drop, with its code.
    const dropped = Promise.race(
      clients.all.map((client) => new Promise((resolve) => client.socket!.once('close', resolve))),
    )
    ;[...server.sockets][0].close(4000, 'go')
    await dropped
    await clients.closeAll()
    const report = clients.report()
    assert.deepEqual(
      {dropped: report.dropped, failed: report.failed, open: report.open, requested: report.requested},
      {dropped: {4000: 1}, failed: 0, open: 3, requested: 3},
    )
    assert.equal(clients.open.size, 0)
  })

  it('a refused handshake is a failure by status, with the token masked', async () => {
    server = await startRejectingServer(403, 'no')
    const clients = new BenchClients(2, WebSocket, {
      hideToken: (text) => text.replace('403', '***'),
      onMessage() {},
      timeoutMs: 10_000,
      url: server.url,
    })
    await Promise.all([clients.connect(0), clients.connect(1)])
    assert.equal(clients.failed, 2)
    assert.deepEqual(clients.report().failures, {'HTTP ***': 2})
    assert.deepEqual(clients.failures(), {'HTTP ***': 2})
  })
})
