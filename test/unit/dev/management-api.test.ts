import assert from 'node:assert/strict'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {WebSocket, WebSocketServer} from 'ws'

import {Connection, ConnectionRegistry} from '../../../src/lib/dev/connection.js'
import {
  handleManagementRequest,
  MANAGEMENT_PATH,
  type ManagementApiOptions,
  signatureRefusal,
} from '../../../src/lib/dev/management-api.js'

/** The shape of a SigV4 Authorization header for execute-api (wsapi dev checks the shape, not the signature). */
const SIGNED = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
  'x-amz-date': '20240101T000000Z',
}

/**
 * The @connections API on a port-0 loopback server, its connections real WebSocket clients of the same server
 * (open as soon as their handshake completes), POST sending to the client and DELETE closing it.
 */
async function managementServer(overrides: Partial<ManagementApiOptions> = {}) {
  const registry = new ConnectionRegistry()
  const refused: string[] = []
  const options: ManagementApiOptions = {
    latencyMs: 0,
    onDelete: (connection) => connection.ws?.close(1000),
    onPost(connection, data) {
      connection.ws!.send(data.toString('utf8'))
      return true
    },
    onRefused: (reason) => refused.push(reason),
    registry,
    stage: 'v1',
    ...overrides,
  }
  const server: Server = createServer((request, response) => {
    const match = MANAGEMENT_PATH.exec(new URL(request.url ?? '/', 'http://localhost').pathname)
    if (match) handleManagementRequest(options, request, response, match)
    else response.writeHead(404).end()
  })
  const wss = new WebSocketServer({server})
  let count = 0
  const accepted: Array<(connection: Connection) => void> = []
  wss.on('connection', (ws) => {
    count += 1
    const connection = new Connection({
      apiId: 'abcdefghij',
      connectedAt: Date.parse('2026-01-01T00:00:00.000Z'),
      connectionId: `conn${count}=`,
      domainName: 'localhost',
      sourceIp: '127.0.0.1',
      stage: 'v1',
      userAgent: 'unit-test',
    })
    connection.state = 'open'
    connection.ws = ws
    registry.add(connection)
    accepted.shift()?.(connection)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    base,
    /** A client and its connection on the server, both open. */
    async client() {
      const connected = new Promise<Connection>((resolve) => accepted.push(resolve))
      const ws = new WebSocket(base.replace('http', 'ws'))
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
      const connection = await connected
      return {connection, url: `${base}/v1/@connections/${encodeURIComponent(connection.id)}`, ws}
    },
    async close() {
      for (const client of wss.clients) client.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
    refused,
    registry,
  }
}

const nextMessage = (ws: WebSocket) =>
  new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))))
const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))

describe('dev: the @connections API', function () {
  this.timeout(30_000)
  let api: Awaited<ReturnType<typeof managementServer>>

  afterEach(() => api?.close())

  it('POST sends the body to the client, GET describes the connection, DELETE closes it, and then it is gone', async () => {
    api = await managementServer()
    const {connection, url, ws} = await api.client()
    const received = nextMessage(ws)
    const posted = await fetch(url, {body: 'pushed', headers: SIGNED, method: 'POST'})
    assert.equal(posted.status, 200)
    assert.ok(posted.headers.get('x-amzn-requestid'))
    assert.equal(await received, 'pushed')
    connection.lastActiveAt = Date.parse('2026-01-01T00:00:05.000Z')
    assert.deepEqual(await (await fetch(url, {headers: SIGNED})).json(), {
      connectedAt: '2026-01-01T00:00:00.000Z',
      identity: {sourceIp: '127.0.0.1', userAgent: 'unit-test'},
      lastActiveAt: '2026-01-01T00:00:05.000Z',
    })
    const close = closed(ws)
    assert.equal((await fetch(url, {headers: SIGNED, method: 'DELETE'})).status, 204)
    assert.equal(await close, 1000)
    const late = await fetch(url, {body: 'late', headers: SIGNED, method: 'POST'})
    assert.equal(late.status, 410)
    assert.equal(late.headers.get('x-amzn-errortype'), 'GoneException')
  })

  it('answers 410 for an unknown id and for a connection that is not open yet', async () => {
    api = await managementServer()
    assert.equal((await fetch(`${api.base}/@connections/nobody%3D`, {headers: SIGNED})).status, 410)
    const {connection, url} = await api.client()
    connection.state = 'pending'
    assert.equal((await fetch(url, {headers: SIGNED})).status, 410)
    connection.state = 'open'
    assert.equal((await fetch(url, {headers: SIGNED})).status, 200)
  })

  it('refuses unsigned calls (403, logged), other stages and methods (403) and payloads over 128 KB (413)', async () => {
    api = await managementServer()
    const {connection, url} = await api.client()
    const unsigned = await fetch(url, {body: 'x', method: 'POST'})
    assert.equal(unsigned.status, 403)
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException')
    assert.deepEqual(await unsigned.json(), {message: 'Missing Authentication Token'})
    assert.match(api.refused[0], /without a SigV4 Authorization header/)
    const otherStage = await fetch(`${api.base}/prod/@connections/${encodeURIComponent(connection.id)}`, {
      headers: SIGNED,
    })
    assert.equal(otherStage.status, 403)
    assert.equal(otherStage.headers.get('x-amzn-errortype'), 'ForbiddenException')
    assert.equal((await fetch(url, {headers: SIGNED, method: 'PUT'})).status, 403)
    const tooBig = await fetch(url, {body: 'x'.repeat(128 * 1024 + 1), headers: SIGNED, method: 'POST'})
    assert.equal(tooBig.status, 413)
    assert.equal(tooBig.headers.get('x-amzn-errortype'), 'PayloadTooLargeException')
    assert.equal((await fetch(url, {body: 'x'.repeat(128 * 1024), headers: SIGNED, method: 'POST'})).status, 200)
  })

  it('answers 429 when the client cannot take more, and when the account rate is spent', async () => {
    let tokens = 1
    api = await managementServer({onPost: () => false, rateLimit: {take: () => tokens-- > 0}})
    const {url} = await api.client()
    const full = await fetch(url, {body: 'x', headers: SIGNED, method: 'POST'})
    assert.equal(full.status, 429)
    assert.equal(full.headers.get('x-amzn-errortype'), 'LimitExceededException')
    assert.deepEqual(await full.json(), {message: 'Client buffer is full'})
    const throttled = await fetch(url, {headers: SIGNED})
    assert.equal(throttled.status, 429)
    assert.deepEqual(await throttled.json(), {message: 'Rate exceeded'})
  })
})

describe('dev: the @connections API with --latency', function () {
  this.timeout(30_000)

  it('answers each call no sooner than the latency asked for', async () => {
    const api = await managementServer({latencyMs: 300})
    try {
      const {url} = await api.client()
      const started = performance.now()
      assert.equal((await fetch(url, {headers: SIGNED})).status, 200)
      assert.ok(performance.now() - started >= 290, 'answered before the latency passed')
    } finally {
      await api.close()
    }
  })
})

describe('dev: @connections helpers', () => {
  it('matches the @connections paths with and without a stage, @ percent-encoded or not', () => {
    assert.deepEqual(MANAGEMENT_PATH.exec('/v1/@connections/abc=')?.slice(1), ['v1', 'abc='])
    assert.deepEqual(MANAGEMENT_PATH.exec('/%40connections/abc')?.slice(1), [undefined, 'abc'])
    assert.equal(MANAGEMENT_PATH.exec('/v1/connections/abc'), null)
  })

  it('refuses what is not a SigV4 signature for execute-api, as API Gateway does', () => {
    assert.equal(signatureRefusal({})?.errorType, 'MissingAuthenticationTokenException')
    assert.equal(
      signatureRefusal({authorization: 'Bearer x', 'x-amz-date': '1'})?.errorType,
      'IncompleteSignatureException',
    )
    assert.match(signatureRefusal({authorization: SIGNED.authorization})?.body ?? '', /'X-Amz-Date' or a 'Date'/)
    assert.equal(
      signatureRefusal({...SIGNED, authorization: SIGNED.authorization.replace('execute-api', 's3')})?.errorType,
      'InvalidSignatureException',
    )
    assert.equal(signatureRefusal(SIGNED), undefined)
  })
})
