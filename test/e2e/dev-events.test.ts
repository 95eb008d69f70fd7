import assert from 'node:assert/strict'

import {
  connect,
  type DevProcess,
  probeProject,
  readRecords,
  type Recorded,
  startDev,
  waitForRecord,
} from '../helpers/dev.js'

const ID = /^[A-Za-z0-9_-]{15}=$/
const CLF = /^\d{2}\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/

/** requestTime and requestTimeEpoch name the same second. */
function sameSecond(context: {requestTime: string; requestTimeEpoch: number}): boolean {
  const date = new Date(context.requestTimeEpoch)
  const [day, month, rest] = context.requestTime.split('/')
  const [year, hours, minutes, seconds] = rest.split(' ')[0].split(':')
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  return (
    Date.UTC(Number(year), months.indexOf(month), Number(day), Number(hours), Number(minutes), Number(seconds)) ===
    Math.floor(date.getTime() / 1000) * 1000
  )
}

describe('wsapi dev: event shapes (reference checklist 1–7, 35)', function () {
  this.timeout(60_000)
  let dev: DevProcess
  let records: string
  let connection: {connect: Recorded; disconnect: Recorded; messages: Recorded[]}

  before(async () => {
    const project = probeProject({
      routes: [{key: '$connect'}, {key: '$disconnect'}, {key: '$default'}, {key: 'join'}],
      stageVariables: {color: 'blue'},
    })
    records = project.records
    dev = await startDev(project.dir)
    const client = await connect(`${dev.ready.url}?token=abc&tag=a&tag=b`, {
      headers: {'User-Agent': 'probe-agent/1.0', 'X-Custom': 'yes'},
    })
    const connectRecord = await waitForRecord(records, (record) => record.event.requestContext.eventType === 'CONNECT')
    client.send('{"action":"join","n":1}')
    client.send('plain text, not JSON')
    await waitForRecord(records, (record) => record.event.body === 'plain text, not JSON')
    client.close()
    const disconnect = await waitForRecord(records, (record) => record.event.requestContext.eventType === 'DISCONNECT')
    const messages = readRecords(records).filter((record) => record.event.requestContext.eventType === 'MESSAGE')
    connection = {connect: connectRecord, disconnect, messages}
  })

  after(async () => {
    await dev?.stop()
  })

  it('1: $connect has CONNECT/$connect, the upgrade headers (multi-value as arrays), isBase64Encoded false, no body or messageId', () => {
    const {event} = connection.connect
    assert.equal(event.requestContext.eventType, 'CONNECT')
    assert.equal(event.requestContext.routeKey, '$connect')
    assert.equal(event.isBase64Encoded, false)
    assert.ok(!('body' in event))
    assert.ok(!('messageId' in event.requestContext))
    assert.equal(event.headers!['User-Agent'], 'probe-agent/1.0')
    assert.equal(event.headers!['X-Custom'], 'yes')
    assert.ok(event.headers!['Sec-WebSocket-Key'])
    assert.equal(event.headers!['Sec-WebSocket-Version'], '13')
    assert.ok(event.headers!['X-Amzn-Trace-Id']?.startsWith('Root=1-'))
    assert.equal(event.headers!['X-Forwarded-For'], '127.0.0.1')
    assert.equal(event.headers!['X-Forwarded-Port'], String(dev.ready.port))
    for (const [name, values] of Object.entries(event.multiValueHeaders!)) {
      assert.ok(Array.isArray(values), name)
      assert.equal(values.at(-1), event.headers![name])
    }
  })

  it('2: query string maps are present with a query string: single keeps the last value, multi keeps all', () => {
    const {event} = connection.connect
    assert.deepEqual(event.queryStringParameters, {tag: 'b', token: 'abc'})
    assert.deepEqual(event.multiValueQueryStringParameters, {tag: ['a', 'b'], token: ['abc']})
  })

  it('2: …and absent without one', async () => {
    const client = await connect(dev.ready.url)
    const record = await waitForRecord(
      records,
      (candidate) =>
        candidate.event.requestContext.eventType === 'CONNECT' &&
        candidate.event.requestContext.connectionId !== connection.connect.event.requestContext.connectionId,
    )
    assert.ok(!('queryStringParameters' in record.event))
    assert.ok(!('multiValueQueryStringParameters' in record.event))
    client.close()
  })

  it('3: MESSAGE events carry the matched routeKey, a messageId, the exact frame text, and no headers or query', () => {
    const [join, text] = connection.messages
    assert.equal(join.event.requestContext.eventType, 'MESSAGE')
    assert.equal(join.event.requestContext.routeKey, 'join')
    assert.equal(join.event.body, '{"action":"join","n":1}')
    assert.equal(text.event.requestContext.routeKey, '$default')
    assert.equal(text.event.body, 'plain text, not JSON')
    for (const {event} of connection.messages) {
      assert.match(event.requestContext.messageId as string, ID)
      assert.equal(event.isBase64Encoded, false)
      for (const key of ['headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters'])
        assert.ok(!(key in event), key)
    }
  })

  it('4: $disconnect has DISCONNECT, a numeric code, a string reason, exactly the synthetic headers, and no body', () => {
    const {event} = connection.disconnect
    const context = event.requestContext
    assert.equal(context.eventType, 'DISCONNECT')
    assert.equal(context.routeKey, '$disconnect')
    assert.equal(context.disconnectStatusCode, 1005)
    assert.equal(context.disconnectReason, 'Client-side close frame status not set')
    const host = `127.0.0.1:${dev.ready.port}`
    assert.deepEqual(event.headers, {Host: host, 'X-Forwarded-For': '', 'x-api-key': '', 'x-restapi': ''})
    assert.deepEqual(event.multiValueHeaders, {
      Host: [host],
      'X-Forwarded-For': [''],
      'x-api-key': [''],
      'x-restapi': [''],
    })
    assert.ok(!('body' in event))
    assert.ok(!('messageId' in context))
  })

  it('5: requestId equals extendedRequestId and is new for every event; connectedAt is shared; times agree', () => {
    const all = [connection.connect, ...connection.messages, connection.disconnect].map(
      (record) => record.event.requestContext,
    )
    const requestIds = new Set(all.map((context) => context.requestId))
    assert.equal(requestIds.size, all.length)
    for (const context of all) {
      assert.equal(context.requestId, context.extendedRequestId)
      assert.equal(context.connectedAt, all[0].connectedAt)
      assert.equal(typeof context.requestTimeEpoch, 'number')
      assert.ok((context.requestTimeEpoch as number) >= (context.connectedAt as number))
      assert.ok((context.requestTimeEpoch as number) > 1.6e12, 'milliseconds')
      assert.match(context.requestTime as string, CLF)
      assert.ok(sameSecond(context), `${context.requestTime} vs ${context.requestTimeEpoch}`)
    }
  })

  it('6: direction IN; stage, apiId and domainName match the URL; sourceIp always; userAgent only when sent', async () => {
    for (const record of [connection.connect, ...connection.messages, connection.disconnect]) {
      const context = record.event.requestContext
      assert.equal(context.messageDirection, 'IN')
      assert.equal(context.stage, 'test')
      assert.equal(context.domainName, `127.0.0.1:${dev.ready.port}`)
      assert.match(context.apiId as string, /^[a-z0-9]{10}$/)
      assert.deepEqual(context.identity, {sourceIp: '127.0.0.1', userAgent: 'probe-agent/1.0'})
      assert.deepEqual(record.event.stageVariables, {color: 'blue'})
    }

    const known = new Set(readRecords(records).map((record) => record.event.requestContext.connectionId))
    const client = await connect(dev.ready.url) // the ws library sends no User-Agent
    const record = await waitForRecord(
      records,
      (candidate) =>
        !known.has(candidate.event.requestContext.connectionId) &&
        candidate.event.requestContext.eventType === 'CONNECT',
    )
    assert.deepEqual(record.event.requestContext.identity, {sourceIp: '127.0.0.1'})
    client.close()
  })

  it('7: connectionId, requestId and messageId have the AWS format and are unique', async () => {
    const clients = await Promise.all(Array.from({length: 20}, () => connect(dev.ready.url)))
    for (const client of clients) client.send('{"action":"join"}')
    await waitForRecord(
      records,
      () => readRecords(records).filter((record) => record.event.body === '{"action":"join"}').length === 20,
    )
    const contexts = readRecords(records).map((record) => record.event.requestContext)
    const ids = contexts.flatMap((context) => [context.requestId, context.messageId].filter(Boolean)) as string[]
    const connectionIds = new Set(contexts.map((context) => context.connectionId))
    for (const id of [...ids, ...connectionIds]) assert.match(id, ID)
    assert.equal(new Set(ids).size, ids.length)
    assert.ok(connectionIds.size >= 22)
    for (const client of clients) client.close()
  })

  it('resolves the template Environment to local names, with region, dummy credentials and local endpoints', () => {
    const {env} = connection.connect
    assert.equal(env.AWS_REGION, 'us-east-1')
    assert.equal(env.TABLE, 'probe-test-Table')
    assert.equal(env.TABLE_ARN, 'arn:aws:dynamodb:us-east-1:000000000000:table/probe-test-Table')
    assert.equal(env.SUBBED, `probe-test/${connection.connect.event.requestContext.apiId}`)
    assert.equal(env.JOINED, 'a-us-east-1')
    assert.equal(env.AWS_ENDPOINT_URL_DYNAMODB, dev.ready.dynamodbEndpoint)
    assert.equal(env.WSAPI_MANAGEMENT_ENDPOINT, dev.ready.managementEndpoint)
    assert.match(env.AWS_ACCESS_KEY_ID!, /^AKIA/)
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'probe-test-ProbeFunction')
    assert.equal(env.HOME, undefined, 'the host environment does not leak into handlers')
    assert.ok(
      connection.connect.remaining > 9000 && connection.connect.remaining <= 10_000,
      'context.getRemainingTimeInMillis follows Timeout',
    )
  })

  it('35: an ApiGatewayManagementApiClient built from requestContext.domainName and stage reaches the emulator', async () => {
    const client = await connect(dev.ready.url)
    client.send('{"action":"join","do":"post-domain"}')
    assert.equal(await client.next(), 'via-domain')
    client.send('{"action":"join","do":"post-self","text":"hi"}')
    assert.equal(await client.next(), 'posted:hi')
    client.close()
  })
})
