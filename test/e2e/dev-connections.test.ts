import assert from 'node:assert/strict'
import {request} from 'node:http'

import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GetConnectionCommand,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'

import {sigV4Headers, TEST_CREDENTIALS} from '../helpers/sigv4.js'
import {
  connect,
  type DevProcess,
  frame,
  probeProject,
  rawSocket,
  readRecords,
  sleep,
  startDev,
  type TestClient,
  tryConnect,
  waitForRecord,
} from '../helpers/dev.js'

interface HttpResponse {
  body: string
  headers: Record<string, string | string[] | undefined>
  status: number
}

/** A @connections call signed as the AWS SDK signs it (wsapi dev refuses unsigned ones, as AWS does). */
function call(method: string, url: string, body?: Buffer | string): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, {headers: sigV4Headers(method, url, body), method}, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({
          body: Buffer.concat(chunks).toString('utf8'),
          headers: response.headers,
          status: response.statusCode ?? 0,
        }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

const credentials = TEST_CREDENTIALS

describe('wsapi dev: the @connections API (reference checklist 29–34)', function () {
  this.timeout(60_000)
  let dev: DevProcess
  let records: string
  let sdk: ApiGatewayManagementApiClient

  /** A connected client and its id (read from the $connect event). */
  async function client(): Promise<{client: TestClient; id: string}> {
    const known = new Set(readRecords(records).map((record) => record.event.requestContext.connectionId))
    const opened = await connect(dev.ready.url, {headers: {'User-Agent': 'conn-test'}})
    const record = await waitForRecord(
      records,
      (candidate) =>
        candidate.event.requestContext.eventType === 'CONNECT' &&
        !known.has(candidate.event.requestContext.connectionId),
    )
    return {client: opened, id: record.event.requestContext.connectionId}
  }

  const at = (id: string, prefix = `/${dev.ready.stage}`) =>
    `http://127.0.0.1:${dev.ready.port}${prefix}/@connections/${encodeURIComponent(id)}`

  before(async () => {
    // This Node is older than the SDK's next requirement; the warning is noise here.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    const project = probeProject({routes: [{key: '$connect'}, {key: '$disconnect'}, {key: '$default', twoWay: true}]})
    records = project.records
    dev = await startDev(project.dir)
    sdk = new ApiGatewayManagementApiClient({credentials, endpoint: dev.ready.managementEndpoint, region: 'us-east-1'})
  })

  after(async () => {
    sdk?.destroy()
    await dev?.stop()
  })

  it('29: POST 0–131072 raw bytes → 200 with an empty body, delivered as one text message; more → 413', async () => {
    const {client: ws, id} = await client()
    for (const size of [0, 5, 131_072]) {
      const data = Buffer.alloc(size, 'a')
      const response = await call('POST', at(id), data)
      assert.equal(response.status, 200, `size ${size}`)
      assert.equal(response.body, '')
      assert.equal((await ws.next()).length, size)
    }

    const tooBig = await call('POST', at(id), Buffer.alloc(131_073, 'a'))
    assert.equal(tooBig.status, 413)
    assert.equal(tooBig.headers['x-amzn-errortype'], 'PayloadTooLargeException')
    assert.equal(await ws.receivesWithin(200), false)
    ws.close()
  })

  it('29: POSTed bytes that are not UTF-8 arrive intact as a binary frame (a text frame would break the client with 1007)', async () => {
    const {client: ws, id} = await client()
    const binary = new Promise<{data: Buffer; isBinary: boolean}>((resolve) =>
      ws.ws.once('message', (data: Buffer, isBinary: boolean) => resolve({data, isBinary})),
    )
    const bytes = Buffer.from([0xff, 0xfe, 0x41, 0xc3])
    assert.equal((await call('POST', at(id), bytes)).status, 200)
    const received = await Promise.race([
      binary,
      ws.closed.then(({code}) => assert.fail(`the client closed with ${code}`)),
    ])
    assert.deepEqual({data: [...received.data], isBinary: received.isBinary}, {data: [...bytes], isBinary: true})
    await ws.next()
    assert.equal((await call('POST', at(id), 'still open')).status, 200)
    assert.equal(await ws.next(), 'still open')
    ws.close()
  })

  it('30: GET → 200 JSON with connectedAt, identity and lastActiveAt, which advances with traffic', async () => {
    const {client: ws, id} = await client()
    const first = await call('GET', at(id))
    assert.equal(first.status, 200)
    assert.match(String(first.headers['content-type']), /^application\/json/)
    const info = JSON.parse(first.body) as {
      connectedAt: string
      identity: {sourceIp: string; userAgent: string | null}
      lastActiveAt: string
    }
    assert.deepEqual(Object.keys(info), ['connectedAt', 'identity', 'lastActiveAt'])
    assert.match(info.connectedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    assert.deepEqual(info.identity, {sourceIp: '127.0.0.1', userAgent: 'conn-test'})
    await sleep(30)
    ws.send('{"reply":"x"}')
    await ws.next()
    const second = JSON.parse((await call('GET', at(id))).body) as {lastActiveAt: string}
    assert.ok(Date.parse(second.lastActiveAt) > Date.parse(info.lastActiveAt))
    const agentless = await connect(dev.ready.url)
    const agentlessId = readRecords(records)
      .filter((record) => record.event.requestContext.eventType === 'CONNECT')
      .at(-1)!.event.requestContext.connectionId
    assert.equal(
      (JSON.parse((await call('GET', at(agentlessId))).body) as {identity: {userAgent: null}}).identity.userAgent,
      null,
    )
    agentless.close()
    ws.close()
  })

  it('31: DELETE → 204; the socket closes and $disconnect fires once', async () => {
    const {client: ws, id} = await client()
    const response = await call('DELETE', at(id))
    assert.equal(response.status, 204)
    const closed = await ws.closed
    assert.equal(closed.code, 1000)
    await waitForRecord(
      records,
      (record) =>
        record.event.requestContext.eventType === 'DISCONNECT' && record.event.requestContext.connectionId === id,
    )
    // Another connection's whole life, $connect to $disconnect, as a barrier: a second $disconnect for the
    // deleted one (from the DELETE and the close both) would be on record by the time it ends.
    const {client: other, id: otherId} = await client()
    other.close()
    await waitForRecord(
      records,
      (record) =>
        record.event.requestContext.eventType === 'DISCONNECT' && record.event.requestContext.connectionId === otherId,
    )
    assert.equal(
      readRecords(records).filter(
        (record) =>
          record.event.requestContext.eventType === 'DISCONNECT' && record.event.requestContext.connectionId === id,
      ).length,
      1,
    )
  })

  it('32: unknown, closed and still-connecting ids → 410 GoneException with an empty body, for POST, GET and DELETE', async () => {
    const {client: ws, id} = await client()
    ws.close()
    await ws.closed
    await waitForRecord(
      records,
      (record) =>
        record.event.requestContext.eventType === 'DISCONNECT' && record.event.requestContext.connectionId === id,
    )
    for (const target of [id, 'AAAAAAAAAAAAAAA=']) {
      for (const method of ['POST', 'GET', 'DELETE']) {
        const response = await call(method, at(target), method === 'POST' ? 'x' : undefined)
        assert.equal(response.status, 410, `${method} ${target}`)
        assert.equal(response.headers['x-amzn-errortype'], 'GoneException')
        assert.equal(response.body, '')
      }
    }

    const known = new Set(readRecords(records).map((record) => record.event.requestContext.connectionId))
    const pending = tryConnect(`${dev.ready.url}?sleep=3000`)
    const connecting = await waitForRecord(
      records,
      (record) =>
        record.event.requestContext.eventType === 'CONNECT' && !known.has(record.event.requestContext.connectionId),
    )
    const during = await call('POST', at(connecting.event.requestContext.connectionId), 'too early')
    assert.equal(during.status, 410)
    const outcome = await pending
    assert.ok(outcome.ok)
    assert.equal(await outcome.client.receivesWithin(100), false)
    assert.equal((await call('POST', at(connecting.event.requestContext.connectionId), 'now')).status, 200)
    assert.equal(await outcome.client.next(), 'now')
    outcome.client.close()
  })

  it('32: a client that sent its close frame is gone, even while its TCP connection lingers', async () => {
    const known = new Set(readRecords(records).map((record) => record.event.requestContext.connectionId))
    const socket = await rawSocket(dev.ready.port, `/${dev.ready.stage}`)
    const id = (
      await waitForRecord(
        records,
        (candidate) =>
          candidate.event.requestContext.eventType === 'CONNECT' &&
          !known.has(candidate.event.requestContext.connectionId),
      )
    ).event.requestContext.connectionId
    assert.equal((await call('GET', at(id))).status, 200)
    const echoed = new Promise((resolve) => socket.once('data', resolve))
    socket.write(frame(0x8, Buffer.from([0x03, 0xe8]))) // close 1000, and the socket is kept open
    await echoed
    for (const method of ['GET', 'POST', 'DELETE'])
      assert.equal((await call(method, at(id), method === 'POST' ? 'x' : undefined)).status, 410, method)
    socket.destroy()
  })

  it('33: ids are percent-decoded; /@connections without the stage works; a wrong stage → 403 Forbidden', async () => {
    const {client: ws, id} = await client()
    assert.ok(id.endsWith('='))
    assert.equal((await call('POST', at(id).replace('%3D', '='), 'raw =')).status, 200)
    assert.equal(await ws.next(), 'raw =')
    assert.equal((await call('POST', at(id, ''), 'no stage')).status, 200)
    assert.equal(await ws.next(), 'no stage')
    assert.equal((await call('POST', at(id).replace('@', '%40'), 'encoded @')).status, 200)
    assert.equal(await ws.next(), 'encoded @')
    const wrong = await call('POST', at(id, '/prod'), 'x')
    assert.equal(wrong.status, 403)
    assert.equal(wrong.body, '{"message":"Forbidden"}')
    assert.equal(wrong.headers['x-amzn-errortype'], 'ForbiddenException')
    ws.close()
  })

  it('34: the AWS SDK v3 client works and maps every error: GoneException, PayloadTooLargeException, ForbiddenException, LimitExceededException', async () => {
    const {client: ws, id} = await client()
    await sdk.send(new PostToConnectionCommand({ConnectionId: id, Data: new TextEncoder().encode('from the SDK')}))
    assert.equal(await ws.next(), 'from the SDK')
    const info = await sdk.send(new GetConnectionCommand({ConnectionId: id}))
    assert.ok(info.ConnectedAt instanceof Date)
    assert.equal(info.Identity?.SourceIp, '127.0.0.1')
    await assert.rejects(
      sdk.send(new PostToConnectionCommand({ConnectionId: id, Data: new Uint8Array(131_073)})),
      PayloadTooLargeException,
    )
    const wrongStage = new ApiGatewayManagementApiClient({
      credentials,
      endpoint: `http://127.0.0.1:${dev.ready.port}/prod`,
      region: 'us-east-1',
    })
    await assert.rejects(
      wrongStage.send(new PostToConnectionCommand({ConnectionId: id, Data: new Uint8Array(1)})),
      ForbiddenException,
    )
    wrongStage.destroy()

    // A client that stops reading: once its buffers are full, posts are refused with 429.
    const slow = await client()
    slow.client.ws.pause()
    const big = new Uint8Array(128 * 1024).fill(97)
    let limited: unknown
    for (let i = 0; i < 1000 && !limited; i++) {
      await sdk
        .send(new PostToConnectionCommand({ConnectionId: slow.id, Data: big}))
        .catch((error: unknown) => (limited = error))
    }

    assert.ok(limited instanceof LimitExceededException, String(limited))
    slow.client.ws.terminate()

    await sdk.send(new DeleteConnectionCommand({ConnectionId: id}))
    await ws.closed
    await assert.rejects(
      sdk.send(new PostToConnectionCommand({ConnectionId: id, Data: new Uint8Array(1)})),
      GoneException,
    )
    await assert.rejects(sdk.send(new GetConnectionCommand({ConnectionId: id})), GoneException)
  })
})
