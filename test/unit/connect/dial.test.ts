import assert from 'node:assert/strict'

import {ConnectError, openWebSocket} from '../../../src/lib/connect/dial.js'
import {startRejectingServer, startServer, type TestServer} from '../../helpers/ws-servers.js'

describe('connect dial', () => {
  let server: TestServer | undefined
  afterEach(async () => server?.close())

  it('a TLS failure (wss:// to a plain server) is explained on one line', async () => {
    server = await startServer()
    const error = (await openWebSocket({url: server.url.replace(/^ws:/, 'wss:')}).then(
      () => assert.fail('connected over TLS to a plain server'),
      (error_: Error) => error_,
    )) as Error & {code: string}
    assert.equal(error.code, 'TLS')
    assert.match(error.message, /does the server speak TLS\?/)
    assert.doesNotMatch(error.message, /\n/)
  })

  it('a refused handshake names the status, the body and what the status usually means; 4xx is not worth retrying', async () => {
    server = await startRejectingServer(401, '{"message":"Unauthorized"}')
    const error = await openWebSocket({url: server.url}).then(
      () => assert.fail('connected to a server that refuses every handshake'),
      (error_: ConnectError) => error_,
    )
    assert.ok(error instanceof ConnectError)
    assert.equal(error.status, 401)
    assert.equal(error.retryable, false)
    assert.match(
      error.message,
      /HTTP 401 Unauthorized \{"message":"Unauthorized"\} \(the \$connect authorizer rejected the request/,
    )
    // Every way to give the token, the environment variable included (a secret stays off the command line).
    assert.match(error.message, /--token, WSAPI_TOKEN or --token-stdin/)
  })

  it('keeps what arrives before the owner listens: messages, then the close', async () => {
    server = await startServer({}, (socket) => {
      socket.send('one')
      socket.send('two')
      socket.close(4001, 'bye')
    })
    const opened = await openWebSocket({url: server.url})
    await new Promise((resolve) => opened.socket.once('close', resolve))
    const events = opened
      .takeEarlyEvents()
      .map((event) => (event.type === 'message' ? event.data.toString() : `${event.code} ${event.reason.toString()}`))
    assert.deepEqual(events, ['one', 'two', '4001 bye'])
  })
})
