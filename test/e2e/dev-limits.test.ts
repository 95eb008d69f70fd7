import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import {connect as tcpConnect} from 'node:net'

import {
  connect,
  type DevProcess,
  frame,
  probeProject,
  rawSocket,
  readRecords,
  sleep,
  startDev,
  tryConnect,
  waitForRecord,
} from '../helpers/dev.js'

const disconnectOf = (records: string, connectionId: string) =>
  waitForRecord(
    records,
    (record) =>
      record.event.requestContext.eventType === 'DISCONNECT' &&
      record.event.requestContext.connectionId === connectionId,
  )

const lastConnectId = (records: string) =>
  readRecords(records)
    .filter((record) => record.event.requestContext.eventType === 'CONNECT')
    .at(-1)!.event.requestContext.connectionId

describe('wsapi dev: limits, timeouts and close codes (reference checklist 24–28, 36)', function () {
  this.timeout(60_000)
  let dev: DevProcess
  let records: string

  before(async () => {
    const project = probeProject({
      environment: {DISCONNECT_THROWS: "'yes'"},
      routes: [{key: '$connect'}, {key: '$disconnect'}, {key: '$default', twoWay: true}],
    })
    records = project.records
    // The API Gateway limits (10 min idle, 2 h): no test here may be cut short by them on a slow machine.
    dev = await startDev(project.dir)
  })

  after(async () => {
    await dev?.stop()
  })

  it('24: a binary frame closes the connection with 1003, and $disconnect reports it', async () => {
    const client = await connect(dev.ready.url)
    const id = lastConnectId(records)
    client.ws.send(Buffer.from([1, 2, 3]), {binary: true})
    const closed = await client.closed
    assert.equal(closed.code, 1003)
    const record = await disconnectOf(records, id)
    assert.equal(record.event.requestContext.disconnectStatusCode, 1003)
    assert.equal(typeof record.event.requestContext.disconnectReason, 'string')
  })

  it('a protocol error closes with its RFC 6455 code, and $disconnect reports that code', async () => {
    const attacks: Array<[Buffer, number]> = [
      [frame(0x1, Buffer.from([0x7b, 0xff, 0xfe])), 1007], // invalid UTF-8
      [Buffer.from([0xc1, 0x80, 1, 2, 3, 4]), 1002], // RSV1 set
      [frame(0x9, Buffer.alloc(126)), 1002], // a ping over 125 bytes
    ]
    for (const [attack, code] of attacks) {
      const socket = await rawSocket(dev.ready.port, '/test')
      const id = lastConnectId(records)
      const closeFrame = new Promise<Buffer>((resolve) => socket.once('data', resolve))
      socket.write(attack)
      const reply = await closeFrame
      assert.deepEqual([reply[0], reply.readUInt16BE(2)], [0x88, code])
      socket.destroy() // no close frame back: what $disconnect reports is still the close the server sent
      assert.equal((await disconnectOf(records, id)).event.requestContext.disconnectStatusCode, code)
    }
  })

  it('25: a frame over 32 KB closes with 1009', async () => {
    const client = await connect(dev.ready.url)
    const id = lastConnectId(records)
    client.send('x'.repeat(32 * 1024 + 1))
    assert.equal((await client.closed).code, 1009)
    assert.equal((await disconnectOf(records, id)).event.requestContext.disconnectStatusCode, 1009)
  })

  it('25: a message over 128 KB in frames of 32 KB or less closes with 1009; one under it is reassembled', async () => {
    const client = await connect(dev.ready.url)
    const chunk = 'y'.repeat(32 * 1024)
    for (let i = 0; i < 3; i++) client.ws.send(chunk, {fin: false})
    client.ws.send('{"a":1}', {fin: true})
    const record = await waitForRecord(records, (candidate) => candidate.event.body?.length === 3 * 32 * 1024 + 7)
    assert.equal(record.event.body, chunk.repeat(3) + '{"a":1}')
    for (let i = 0; i < 4; i++) client.ws.send(chunk, {fin: false})
    client.ws.send('z', {fin: true})
    assert.equal((await client.closed).code, 1009)
  })

  it('25: a frame header announcing too much closes before the payload arrives', async () => {
    const socket = await rawSocket(dev.ready.port, '/test')
    const header = Buffer.from([0x81, 0x80 | 127, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4]) // 4 GiB text frame, masked
    const closeFrame = new Promise<Buffer>((resolve) => socket.once('data', resolve))
    socket.write(header)
    const reply = await closeFrame
    assert.equal(reply[0], 0x88)
    assert.equal(reply.readUInt16BE(2), 1009)
    socket.destroy()
  })

  it('28: a client close with a status reports that status and reason; without one, 1005', async () => {
    const client = await connect(dev.ready.url)
    const id = lastConnectId(records)
    client.close(4000, 'bye now')
    const record = await disconnectOf(records, id)
    assert.equal(record.event.requestContext.disconnectStatusCode, 4000)
    assert.equal(record.event.requestContext.disconnectReason, 'bye now')
    const silent = await connect(dev.ready.url)
    const silentId = lastConnectId(records)
    silent.ws.close()
    assert.equal((await disconnectOf(records, silentId)).event.requestContext.disconnectStatusCode, 1005)
  })

  it('36: a failing $disconnect runs once and touches no other connection', async () => {
    const a = await connect(dev.ready.url)
    const aId = lastConnectId(records)
    const b = await connect(dev.ready.url)
    const bId = lastConnectId(records)
    a.close(1000)
    await disconnectOf(records, aId)
    await dev.waitForLog(/disconnect failed on purpose/)
    b.send('{"reply":"b lives"}')
    assert.equal(await b.next(), 'b lives')
    // b's own $disconnect, later, as a barrier: a second run of a's would be on record by the time it is.
    b.close()
    await disconnectOf(records, bId)
    assert.equal(
      readRecords(records).filter(
        (record) =>
          record.event.requestContext.eventType === 'DISCONNECT' && record.event.requestContext.connectionId === aId,
      ).length,
      1,
    )
  })

  it('a message nesting its selected value too deeply to stringify goes to $default; the server stays up', async () => {
    const client = await connect(dev.ready.url)
    const nested = `{"action":${'['.repeat(60_000)}${']'.repeat(60_000)},"reply":"deep"}`
    // In frames of 32 KB at most, as API Gateway requires: 117 KB in all.
    for (let offset = 0; offset < nested.length; offset += 32 * 1024) {
      client.ws.send(nested.slice(offset, offset + 32 * 1024), {fin: offset + 32 * 1024 >= nested.length})
    }

    assert.equal(await client.next(), 'deep')
    const record = await waitForRecord(records, (candidate) => candidate.event.body === nested)
    assert.equal(record.event.requestContext.routeKey, '$default')
    client.close()
  })

  it('malformed frames of any kind never bring the server down', async () => {
    const attacks: Buffer[] = [
      Buffer.from([0x83, 0x80, 1, 2, 3, 4]), // reserved opcode
      Buffer.from([0x81, 0x05, 104, 101, 108, 108, 111]), // unmasked client frame
      frame(0x1, Buffer.from([0xff, 0xfe, 0xfd])), // invalid UTF-8
      Buffer.from([0xf1, 0x80, 1, 2, 3, 4]), // RSV bits set
      frame(0x9, Buffer.alloc(200)), // oversized ping
      frame(0x8, Buffer.from([0x03])), // close with a 1-byte payload
      frame(0x0, Buffer.from('continuation without a start')),
      frame(0x1, Buffer.from('{"partial":'), false), // then the socket drops mid-message
      randomBytes(4096),
    ]
    for (const attack of attacks) {
      const socket = await rawSocket(dev.ready.port, '/test')
      socket.write(attack)
      await sleep(30)
      socket.destroy()
    }

    for (let i = 0; i < 20; i++) {
      const socket = tcpConnect(dev.ready.port, '127.0.0.1')
      socket.on('error', () => {})
      socket.write(
        i % 2
          ? randomBytes(64 + i * 50)
          : `GET /test HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${'x'.repeat(i)}\r\n\r\n`,
      )
      setTimeout(() => socket.destroy(), 50)
    }

    await sleep(300)
    const outcome = await tryConnect(dev.ready.url)
    assert.ok(outcome.ok, 'the server still accepts connections')
    outcome.client.send('{"reply":"still here"}')
    assert.equal(await outcome.client.next(), 'still here')
    outcome.client.close()
  })
})

describe('wsapi dev: idle timeout and maximum duration (reference checklist 26, 27)', function () {
  this.timeout(60_000)
  let dev: DevProcess
  let records: string

  before(async () => {
    const project = probeProject({routes: [{key: '$connect'}, {key: '$disconnect'}, {key: '$default'}]})
    records = project.records
    // Short, so the tests are quick; a tick every 300 ms keeps a connection busy with a 5x margin.
    dev = await startDev(project.dir, ['--idle-timeout', '1500ms', '--max-duration', '4s'])
  })

  after(async () => {
    await dev?.stop()
  })

  it('26: no data for the idle timeout → 1001 "Going away", and $disconnect says so; traffic keeps it open', async () => {
    // Timed from before the handshake: the idle timer starts when the connection does.
    const started = Date.now()
    const idle = await connect(dev.ready.url)
    const idleId = lastConnectId(records)
    const busy = await connect(dev.ready.url)
    const ticker = setInterval(() => busy.send('tick'), 300)
    const closed = await idle.closed
    assert.deepEqual(closed, {code: 1001, reason: 'Going away'})
    assert.ok(Date.now() - started >= 1400, 'not before the idle timeout')
    const record = await disconnectOf(records, idleId)
    assert.equal(record.event.requestContext.disconnectStatusCode, 1001)
    assert.equal(record.event.requestContext.disconnectReason, 'Going away')
    assert.equal(busy.ws.readyState, busy.ws.OPEN)
    clearInterval(ticker)
    busy.close()
  })

  it('27: the maximum duration closes even a busy connection with 1001 "Going away"', async () => {
    const started = Date.now()
    const client = await connect(dev.ready.url)
    const id = lastConnectId(records)
    const ticker = setInterval(() => client.send('tick'), 300)
    const closed = await client.closed
    clearInterval(ticker)
    assert.deepEqual(closed, {code: 1001, reason: 'Going away'})
    assert.ok(Date.now() - started >= 3900, 'not before the maximum duration')
    assert.equal((await disconnectOf(records, id)).event.requestContext.disconnectStatusCode, 1001)
  })
})
