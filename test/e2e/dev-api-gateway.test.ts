import assert from 'node:assert/strict'
import {request} from 'node:http'

import WebSocket from 'ws'

import {
  connect,
  type DevProcess,
  probeProject,
  rawHandshake,
  readRecords,
  startDev,
  type TestClient,
  tryConnect,
  waitForRecord,
} from '../helpers/dev.js'

const ID = /^[A-Za-z0-9_-]{15}=$/

function httpGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{body: string; headers: Record<string, unknown>; status: number}> {
  return new Promise((resolve, reject) => {
    request(url, {headers}, (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk.toString()))
      response.on('end', () => resolve({body, headers: response.headers, status: response.statusCode ?? 0}))
    })
      .on('error', reject)
      .end()
  })
}

/** The request id of the MESSAGE event recorded for a body (what an error frame must name). */
async function requestIdOf(records: string, body: string): Promise<string> {
  const record = await waitForRecord(records, (candidate) => candidate.event.body === body)
  return record.event.requestContext.requestId as string
}

/** Sends `body` from a new connection and checks the error frame byte for byte against the recorded ids. */
async function expectErrorFrame(url: string, records: string, body: string, message: string): Promise<TestClient> {
  const client = await connect(url)
  const connectionId = readRecords(records)
    .filter((record) => record.event.requestContext.eventType === 'CONNECT')
    .at(-1)!.event.requestContext.connectionId
  client.send(body)
  const frame = await client.next()
  assert.equal(
    frame,
    `{"message": "${message}", "connectionId":"${connectionId}", "requestId":"${await requestIdOf(records, body)}"}`,
  )
  return client
}

describe('wsapi dev: handshake, routing and responses (reference checklist 8, 10–13, 15, 16, 18–23)', function () {
  this.timeout(60_000)
  let dev: DevProcess
  let records: string

  before(async () => {
    const project = probeProject({
      routes: [
        {key: '$connect'},
        {key: '$disconnect'},
        {key: '$default', twoWay: true},
        {key: 'join'},
        {key: 'echo', twoWay: true},
        {key: '5', twoWay: true},
      ],
    })
    records = project.records
    // Long enough for a cold start on a busy machine (normal invocations must never reach it); the slow
    // handlers below sleep twice as long (until the probe's 10 s Timeout ends them).
    dev = await startDev(project.dir, ['--integration-timeout', '5s'])
  })

  after(async () => {
    await dev?.stop()
  })

  it('8: the path must be /{stage}: another stage or no stage is refused with 403 and never reaches $connect', async () => {
    const before = readRecords(records).length
    for (const path of ['/prod', '/', '/test/extra']) {
      const outcome = await tryConnect(`ws://127.0.0.1:${dev.ready.port}${path}`)
      assert.equal(outcome.ok, false, path)
      assert.equal(!outcome.ok && outcome.status, 403, path)
    }

    assert.equal(readRecords(records).length, before)
    const withSlash = await connect(`${dev.ready.url}/`)
    withSlash.close()
  })

  it('10: $connect 2xx → 101; non-2xx S → S and the socket closes; a throw or a malformed response → 502', async () => {
    for (const status of [200, 201, 204]) {
      const outcome = await tryConnect(`${dev.ready.url}?status=${status}`)
      assert.ok(outcome.ok, `status ${status}`)
      outcome.client.close()
    }

    for (const status of [301, 400, 401, 403, 429, 500, 501]) {
      const outcome = await tryConnect(`${dev.ready.url}?status=${status}`)
      assert.equal(outcome.ok ? 101 : outcome.status, status)
    }

    for (const query of ['throw=1', 'malformed=1']) {
      const outcome = await tryConnect(`${dev.ready.url}?${query}`)
      assert.equal(outcome.ok ? 101 : outcome.status, 502, query)
      assert.equal(!outcome.ok && outcome.body, '{"message": "Internal server error"}')
    }
  })

  it('10: any $connect status gets an HTTP answer, even one Node has no reason phrase for; a 1xx one is malformed → 502', async () => {
    for (const [status, expected] of [
      [599, 599],
      [460, 460],
      [101, 502],
      [100, 502],
    ]) {
      const head = await rawHandshake(dev.ready.port, `/${dev.ready.stage}?status=${status}`)
      assert.match(head, new RegExp(`^HTTP/1.1 ${expected} `), `status ${status}`)
    }

    const outcome = await tryConnect(dev.ready.url)
    assert.ok(outcome.ok, 'the server still accepts connections')
    outcome.client.close()
  })

  it('10: $connect slower than the integration timeout → 504 (our choice; see README)', async () => {
    const outcome = await tryConnect(`${dev.ready.url}?sleep=10000`)
    assert.equal(outcome.ok ? 101 : outcome.status, 504)
  })

  it('11: only Sec-WebSocket-Protocol of the $connect response reaches the client, never its body or other headers', async () => {
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const ws = new WebSocket(`${dev.ready.url}?protocol=chat.v1&body=secret`, ['chat.v1', 'other'])
      ws.on('upgrade', (response) => resolve(response.headers))
      ws.on('error', reject)
      ws.on('open', () => setTimeout(() => ws.close(), 300))
      ws.on('message', () => reject(new Error('the $connect body reached the client')))
    })
    assert.equal(headers['sec-websocket-protocol'], 'chat.v1')
    assert.equal(headers['x-other'], undefined)
    // Without it in the response, a client that asked for a subprotocol is refused by its own library, as on AWS.
    await assert.rejects(tryConnect(dev.ready.url, {protocols: ['chat.v1']}), /no subprotocol/)
  })

  it('12: a plain HTTP GET of the WebSocket URL → 426', async () => {
    const response = await httpGet(dev.ready.url.replace('ws:', 'http:'))
    assert.equal(response.status, 426)
  })

  it('13, 15, 16, 18: selection by $request.body.action, numbers stringified, exact and case-sensitive, else $default', async () => {
    const client = await connect(dev.ready.url)
    const cases: Array<[string, string]> = [
      ['{"action":"join"}', 'join'],
      ['{"action":5,"do":"x"}', '5'],
      ['{"action":"Join"}', '$default'],
      ['{"action":"join "}', '$default'],
      ['{"nothing":"here"}', '$default'],
      ['not json at all', '$default'],
      ['{"action":"$connect"}', '$default'],
      ['{"action":"$disconnect"}', '$default'],
    ]
    for (const [body] of cases) client.send(body)
    for (const [body, route] of cases) {
      const record = await waitForRecord(records, (candidate) => candidate.event.body === body)
      assert.equal(record.event.requestContext.routeKey, route, body)
    }

    client.close()
  })

  it('19, 23: a one-way route never sends the Lambda body, and a non-2xx status neither closes nor answers', async () => {
    const client = await connect(dev.ready.url)
    client.send('{"action":"join","reply":"must not arrive"}')
    client.send('{"action":"join","status":500,"reply":"nor this"}')
    assert.equal(await client.receivesWithin(500), false)
    client.send('{"action":"echo","reply":"still open"}')
    assert.equal(await client.next(), 'still open')
    client.close()
  })

  it('20: a two-way route sends the Lambda body as one text frame (an absent body as an empty one)', async () => {
    const client = await connect(dev.ready.url)
    client.send('{"action":"echo","reply":"pong"}')
    assert.equal(await client.next(), 'pong')
    client.send('{"action":"echo"}')
    assert.equal(await client.next(), '')
    client.send('{"action":"echo","status":404,"reply":"status does not matter"}')
    assert.equal(await client.next(), 'status does not matter')
    client.close()
  })

  it('21: a throwing Lambda → the exact Internal server error frame; the connection stays open', async () => {
    const client = await expectErrorFrame(
      dev.ready.url,
      records,
      '{"action":"echo","do":"throw"}',
      'Internal server error',
    )
    client.send('{"action":"echo","reply":"alive"}')
    assert.equal(await client.next(), 'alive')
    // A two-way route returning a body that is not a string is a malformed proxy response.
    client.send('{"action":"echo","return":{"statusCode":200,"body":{"not":"a string"}}}')
    assert.match(
      await client.next(),
      /^\{"message": "Internal server error", "connectionId":"[\w-]{15}=", "requestId":"[\w-]{15}="\}$/,
    )
    client.close()
  })

  it('22: an integration slower than the integration timeout → the exact Endpoint request timed out frame', async () => {
    const client = await expectErrorFrame(
      dev.ready.url,
      records,
      '{"action":"join","do":"sleep","ms":10000}',
      'Endpoint request timed out',
    )
    client.close()
  })

  it('a handler that hangs, exits or crashes costs an error frame, never the server', async () => {
    const client = await connect(dev.ready.url)
    for (const action of ['exit', 'crash']) {
      client.send(`{"action":"echo","do":"${action}"}`)
      assert.match(await client.next(), /^\{"message": "Internal server error", /, action)
    }

    client.send('{"action":"echo","do":"hang"}')
    assert.match(await client.next(), /^\{"message": "Endpoint request timed out", /)
    client.send('{"action":"echo","reply":"server is fine"}')
    assert.equal(await client.next(), 'server is fine')
    await dev.waitForLog(/Runtime exited with error: exit status 3/)
    await dev.waitForLog(/crashed later/)
    client.close()
  })

  it('logs every invocation with time, route, connection id, function, duration and status, and errors with their stack', async () => {
    await dev.waitForLog(/\d{2}:\d{2}:\d{2}\.\d{3}\s+join\s+[\w-]{15}=\s+ProbeFunction\s+\d+ ms\s+200\n/)
    await dev.waitForLog(
      /echo\s+[\w-]{15}=\s+ProbeFunction\s+\d+ ms\s+Internal server error\n {4}Error: message failed on purpose\n {8}at .*src\/probe\.ts:\d+:\d+\)/,
    )
  })
})

describe('wsapi dev: templates, no $connect, no $default (reference checklist 9, 14, 17)', function () {
  this.timeout(60_000)
  let dev: DevProcess
  let records: string

  before(async () => {
    const project = probeProject({
      routes: [{key: '$disconnect'}, {key: 'chat/join'}, {key: 'join/'}],
      selection: '${request.body.service}/${request.body.action}',
    })
    records = project.records
    dev = await startDev(project.dir)
  })

  after(async () => {
    await dev?.stop()
  })

  it('9: without a $connect route every handshake succeeds', async () => {
    const outcome = await tryConnect(dev.ready.url)
    assert.ok(outcome.ok)
    outcome.client.close()
  })

  it('14: templates combine several values and static text', async () => {
    const client = await connect(dev.ready.url)
    client.send('{"service":"chat","action":"join"}')
    const record = await waitForRecord(
      records,
      (candidate) => candidate.event.body === '{"service":"chat","action":"join"}',
    )
    assert.equal(record.event.requestContext.routeKey, 'chat/join')
    client.close()
  })

  it('17: no match and no $default → the exact Forbidden frame, no Lambda, and the connection stays open', async () => {
    const client = await connect(dev.ready.url)
    const before = readRecords(records).filter((record) => record.event.requestContext.eventType === 'MESSAGE').length
    for (const body of ['{"service":"chat","action":"leave"}', 'not JSON']) {
      client.send(body)
      const frame = await client.next()
      const parsed = JSON.parse(frame) as {connectionId: string; requestId: string}
      assert.match(parsed.connectionId, ID)
      assert.match(parsed.requestId, ID)
      assert.equal(
        frame,
        `{"message": "Forbidden", "connectionId":"${parsed.connectionId}", "requestId":"${parsed.requestId}"}`,
      )
    }

    client.send('{"action":"join"}') // a missing path is "": this selects "/join", which matches nothing
    assert.match(await client.next(), /"Forbidden"/)
    client.send('{"service":"join"}') // …and this selects "join/"
    await waitForRecord(records, (candidate) => candidate.event.requestContext.routeKey === 'join/')
    // The connection's frames are routed in order: by the time the last one has run, none before it did.
    assert.equal(
      readRecords(records).filter((record) => record.event.requestContext.eventType === 'MESSAGE').length,
      before + 1,
    )
    client.close()
  })
})
