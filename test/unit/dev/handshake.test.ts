import assert from 'node:assert/strict'
import {connect, createServer, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'

import type {DevServer} from '../../../src/lib/dev/server.js'
import {refusalBody, rejectSocket} from '../../../src/lib/dev/handshake.js'
import {openSocket, outputLine, startTestServer, type WatchedOutput} from '../../helpers/dev-server.js'

type Refusal = Error & {body: string; status: number}

async function refused(url: string, options: Parameters<typeof openSocket>[1] = {}): Promise<Refusal> {
  const error = (await openSocket(url, options).then(
    (ws) => {
      ws.close()
      throw new Error('the handshake was accepted')
    },
    (error: unknown) => error,
  )) as Refusal
  return error
}

describe('dev: the handshake', function () {
  this.timeout(60_000)
  let server: DevServer
  let output: WatchedOutput

  before(async () => {
    ;({output, server} = await startTestServer())
  })

  after(() => server.close())

  it('opens a connection when $connect answers 2xx, answering with the subprotocol $connect chose', async () => {
    const ws = await openSocket(`${server.url}?protocol=chat.v2`, {protocols: ['chat.v1', 'chat.v2']})
    assert.equal(ws.protocol, 'chat.v2')
    assert.equal(server.connectionCount, 1)
    ws.close()
  })

  it("refuses with $connect's status and API Gateway's body for it", async () => {
    const forbidden = await refused(`${server.url}?status=403`)
    assert.equal(forbidden.status, 403)
    assert.equal(forbidden.body, '{"message":"Forbidden"}')
    const failed = await refused(`${server.url}?throw=1`)
    assert.equal(failed.status, 502)
    assert.equal(failed.body, '{"message": "Internal server error"}')
    // A status Node has no reason phrase for is still answered, and the server lives on.
    const odd = await refused(`${server.url}?status=599`)
    assert.equal(odd.status, 599)
    const ws = await openSocket(server.url)
    ws.close()
  })

  it('refuses another path, a foreign Host and a foreign Origin with 403, and says why in the log', async () => {
    const wrongPath = await refused(`ws://${server.host}:${server.port}/elsewhere`)
    assert.equal(wrongPath.status, 403)
    await outputLine(output, /Refused a connection to \/elsewhere: the WebSocket URL is ws:/)
    const foreignHost = await refused(server.url, {headers: {Host: 'attacker.example'}})
    assert.equal(foreignHost.status, 403)
    await outputLine(output, /Refused a WebSocket connection to \/v1 with Host/)
    const foreignOrigin = await refused(server.url, {origin: 'https://attacker.example'})
    assert.equal(foreignOrigin.status, 403)
    await outputLine(output, /Refused a WebSocket connection from .*attacker\.example/)
  })

  it('refuses a URL over the length API Gateway accepts with 414', async () => {
    const long = await refused(`${server.url}?q=${'a'.repeat(9000)}`)
    assert.equal(long.status, 414)
  })
})

describe('dev: refused handshakes', () => {
  it("answer with the handler's body, else API Gateway's for the status", () => {
    assert.equal(refusalBody(403, '{"message":"custom"}'), '{"message":"custom"}')
    assert.equal(refusalBody(401), '{"message":"Unauthorized"}')
    assert.equal(refusalBody(403), '{"message":"Forbidden"}')
    assert.equal(refusalBody(502), '{"message": "Internal server error"}')
    assert.equal(refusalBody(404), 'Not Found')
    assert.equal(refusalBody(599), '')
  })

  it('are written as a complete HTTP response, then the socket is closed', async () => {
    const server = createServer((socket: Socket) => rejectSocket(socket, 429, '{"message":"Too Many Requests"}'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const client = connect((server.address() as AddressInfo).port, '127.0.0.1')
      let text = ''
      client.on('data', (chunk) => (text += chunk))
      await new Promise((resolve) => client.once('close', resolve))
      assert.equal(
        text,
        'HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 31\r\n\r\n{"message":"Too Many Requests"}',
      )
    } finally {
      server.close()
    }
  })
})
