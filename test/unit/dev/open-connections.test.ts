import assert from 'node:assert/strict'

import {protocolErrorCode, statusOf} from '../../../src/lib/dev/open-connections.js'
import type {DevServer} from '../../../src/lib/dev/server.js'
import {
  closed,
  nextMessage,
  openSocket,
  outputLine,
  startTestServer,
  type WatchedOutput,
} from '../../helpers/dev-server.js'

describe('dev: open connections', function () {
  this.timeout(60_000)
  let server: DevServer
  let output: WatchedOutput

  before(async () => {
    ;({output, server} = await startTestServer({idleTimeoutMs: 60_000}))
  })

  after(() => server.close())

  it("sends a two-way route's body back as one text frame, with the event the handler got", async () => {
    const ws = await openSocket(server.url)
    const answer = nextMessage(ws)
    ws.send('hello')
    const echoed = JSON.parse(await answer) as {connectionId: string; echo: string; routeKey: string}
    assert.equal(echoed.echo, 'hello')
    assert.equal(echoed.routeKey, '$default')
    assert.match(echoed.connectionId, /^[\w-]+=$/)
    ws.close()
  })

  it('routes by the selection expression; a one-way route sends nothing back', async () => {
    const ws = await openSocket(server.url)
    ws.send(JSON.stringify({data: 'hi', message: 'sendmessage'}))
    await outputLine(output, /sendmessage got .*"data":"hi"/)
    // The next message is the echo of the $default route: nothing came from sendmessage before it.
    const answer = nextMessage(ws)
    ws.send('after')
    assert.equal((JSON.parse(await answer) as {echo: string}).echo, 'after')
    ws.close()
  })

  it('answers a failed or malformed invocation with the Internal server error frame, and stays open', async () => {
    const ws = await openSocket(server.url)
    for (const body of ['throw', 'malformed']) {
      const answer = nextMessage(ws)
      ws.send(body)
      const frame = JSON.parse(await answer) as {connectionId: string; message: string; requestId: string}
      assert.equal(frame.message, 'Internal server error')
      assert.ok(frame.requestId)
    }

    const answer = nextMessage(ws)
    ws.send('still here')
    assert.equal((JSON.parse(await answer) as {echo: string}).echo, 'still here')
    ws.close()
  })

  it('closes on a binary frame with 1003, and runs $disconnect with the code', async () => {
    const ws = await openSocket(server.url)
    const close = closed(ws)
    ws.send(Buffer.from([1, 2, 3]), {binary: true})
    assert.equal((await close).code, 1003)
    await outputLine(output, /disconnected 1003/)
  })

  it('runs $disconnect with the code and reason the client closed with', async () => {
    const ws = await openSocket(server.url)
    ws.close(4321, 'bye')
    await outputLine(output, /disconnected 4321/)
    await outputLine(output, /\$disconnect .*\(4321 bye\)/)
  })
})

describe('dev: the idle timeout', function () {
  this.timeout(60_000)

  it('closes a connection nothing moved on with 1001 Going away', async () => {
    const {output, server} = await startTestServer({idleTimeoutMs: 200})
    try {
      const ws = await openSocket(server.url)
      assert.deepEqual(await closed(ws), {code: 1001, reason: 'Going away'})
      await outputLine(output, /disconnected 1001/)
    } finally {
      await server.close()
    }
  })

  it('server close() closes every connection with 1001', async () => {
    const {server} = await startTestServer()
    const ws = await openSocket(server.url)
    const close = closed(ws)
    await server.close()
    assert.equal((await close).code, 1001)
  })
})

describe('dev: open connection helpers', () => {
  it('reads the close code ws keeps under its own symbol on a protocol error, and nothing on other errors', () => {
    const error = Object.assign(new Error('Invalid WebSocket frame: invalid UTF-8 sequence'), {
      [Symbol('status-code')]: 1007,
    })
    assert.equal(protocolErrorCode(error), 1007)
    assert.equal(protocolErrorCode(new Error('other')), undefined)
  })

  it("logs a handler's numeric statusCode, else ok", () => {
    assert.equal(statusOf({statusCode: 201}), 201)
    assert.equal(statusOf({statusCode: '201'}), 'ok')
    assert.equal(statusOf(null), 'ok')
    assert.equal(statusOf('text'), 'ok')
  })
})
