import assert from 'node:assert/strict'

import {type BenchOptions, type BenchPhase, runBench} from '../../../src/lib/bench/run.js'
import {
  type BroadcastServer,
  type BroadcastServerOptions,
  startBroadcastServer,
} from '../../helpers/broadcast-server.js'

const servers: BroadcastServer[] = []

async function server(options: BroadcastServerOptions = {}): Promise<BroadcastServer> {
  const started = await startBroadcastServer(options)
  servers.push(started)
  return started
}

/**
 * Small, fast runs: no pacing between messages. The timeout (handshakes, and the wait for deliveries that never
 * come) is five times what a busy machine needed at worst here, so that only real loss counts as lost.
 */
function bench(url: string, overrides: Partial<BenchOptions> = {}) {
  return runBench({
    clients: 10,
    expect: 'all',
    intervalMs: 5,
    messages: 3,
    rate: 1000,
    route: 'sendmessage',
    routeField: ['message'],
    senders: 2,
    timeoutMs: 1500,
    url,
    ...overrides,
  })
}

describe('bench run', () => {
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((started) => started.close()))
  })

  it('sends K×M broadcasts and accounts for every delivery to every client, the sender included', async () => {
    const target = await server()
    const phases: BenchPhase[] = []
    const result = await bench(target.url, {
      clients: 20,
      messages: 4,
      onProgress: (progress) => phases.push(progress.phase),
      progressIntervalMs: 5,
      senders: 3,
    })
    assert.equal(target.received.length, 12)
    const ids = new Set<string>()
    for (const text of target.received) {
      const message = JSON.parse(text) as {data: {id: string; sentAt: number}; message: string}
      assert.deepEqual(Object.keys(message), ['message', 'data'])
      assert.equal(message.message, 'sendmessage')
      assert.match(message.data.id, /^[0-9a-f]{8}-\d+-\d+$/)
      assert.equal(typeof message.data.sentAt, 'number')
      ids.add(message.data.id)
    }

    assert.equal(ids.size, 12)
    assert.deepEqual(result.messages, {complete: 12, lost: 0, partial: 0, planned: 12, sendFailed: 0, sent: 12})
    assert.deepEqual(result.deliveries, {duplicates: 0, expected: 240, lost: 0, received: 240, unexpected: 0})
    assert.equal(result.connections.open, 20)
    assert.equal(result.connections.connect.count, 20)
    assert.equal(result.latency.first.count, 12)
    assert.equal(result.latency.last.count, 12)
    assert.equal(result.latency.delivery.count, 240)
    assert.ok((result.latency.first.p50 as number) <= (result.latency.last.p50 as number))
    assert.ok((result.latency.first.min as number) > 0)
    assert.deepEqual([result.passed, result.problems, result.timedOut], [true, [], false])
    // Phases only move forward.
    const order: BenchPhase[] = ['connecting', 'sending', 'waiting', 'closing']
    assert.deepEqual(
      [...new Set(phases)],
      order.filter((phase) => phases.includes(phase)),
    )
    assert.equal(phases.at(-1), 'closing')
  })

  it('counts exactly the deliveries the server lost, and fails unless loss is allowed', async () => {
    const target = await server({dropEvery: 7})
    const result = await bench(target.url)
    assert.ok(target.counts.dropped > 0)
    assert.equal(result.deliveries.lost, target.counts.dropped)
    assert.equal(result.deliveries.received, 60 - target.counts.dropped)
    assert.equal(result.timedOut, true)
    assert.equal(result.passed, false)
    assert.match(result.problems.join('\n'), new RegExp(`^${target.counts.dropped} of 60 deliveries lost`))
    assert.equal(result.latency.last.count, result.messages.complete)

    const allowed = await bench(target.url, {allowLoss: true})
    assert.ok(allowed.deliveries.lost > 0)
    assert.deepEqual([allowed.passed, allowed.problems], [true, []])
  })

  it('counts exactly the duplicates the server sent, without calling them lost', async () => {
    const target = await server({duplicateEvery: 5})
    const result = await bench(target.url)
    assert.equal(result.deliveries.duplicates, target.counts.duplicated)
    assert.equal(result.deliveries.duplicates, 12)
    assert.equal(result.deliveries.lost, 0)
    assert.equal(result.passed, true)
  })

  it("counts API Gateway's error frames and the loss they mean", async () => {
    const target = await server({errorFrame: 'Internal server error'})
    const result = await bench(target.url)
    assert.deepEqual(result.errorFrames, {byMessage: {'Internal server error': 6}, total: 6})
    assert.deepEqual(result.messages, {complete: 0, lost: 6, partial: 0, planned: 6, sendFailed: 0, sent: 6})
    assert.equal(result.passed, false)
    assert.match(result.problems.join('\n'), /6 error frames \(Internal server error ×6\)/)
  })

  it('a route the API does not know shows as Forbidden frames', async () => {
    const target = await server()
    const result = await bench(target.url, {route: 'chat', routeField: ['action']})
    assert.deepEqual(JSON.parse(target.received[0]).action, 'chat')
    assert.deepEqual(result.errorFrames.byMessage, {Forbidden: 6})
    assert.equal(result.deliveries.received, 0)
  })

  it('reports refused handshakes with their status, and expects deliveries only to connected clients', async () => {
    const target = await server({reject: {every: 4, status: 403}})
    const result = await bench(target.url, {clients: 20})
    assert.equal(target.counts.rejected, 5)
    assert.deepEqual(result.connections.failures, {'HTTP 403': 5})
    assert.deepEqual(
      [result.connections.open, result.connections.failed, result.connections.connect.count],
      [15, 5, 15],
    )
    assert.deepEqual(result.deliveries, {duplicates: 0, expected: 90, lost: 0, received: 90, unexpected: 0})
    assert.deepEqual(result.problems, ['5 of 20 connections failed (HTTP 403 ×5)'])
  })

  it('fails with one clear line when no client can connect', async () => {
    const target = await server({reject: {every: 1, status: 401}})
    await assert.rejects(bench(target.url, {clients: 3}), {
      exit: 1,
      message: `No client could connect to ${target.url} (HTTP 401 ×3): check the URL, that the API is running, and its $connect authorization.`,
    })
    const port = new URL(target.url).port
    await target.close()
    servers.length = 0
    await assert.rejects(bench(`ws://127.0.0.1:${port}/v1`, {clients: 2}), /\(ECONNREFUSED ×2\)/)
  })

  it('masks the token in its report and errors, as connect does', async () => {
    const secret = 'SUPERSECRETTOKEN123'
    const target = await server()
    const result = await bench(`${target.url}?token=${secret}`, {clients: 3})
    assert.equal(result.settings.url, `${target.url}?token=***`)
    assert.equal(JSON.stringify(result).includes(secret), false)

    const refusing = await server({reject: {every: 1, status: 401}})
    await assert.rejects(bench(`${refusing.url}?token=${secret}`, {clients: 2}), (error: Error) => {
      assert.equal(error.message.includes(secret), false)
      assert.match(error.message, /token=\*\*\*/)
      return true
    })
  })

  it('makes the expectation explicit: an API that skips the sender loses exactly the senders’ own copies under "all"', async () => {
    const target = await server({excludeSender: true})
    const others = await bench(target.url, {expect: 'others'})
    assert.deepEqual(others.deliveries, {duplicates: 0, expected: 54, lost: 0, received: 54, unexpected: 0})
    assert.equal(others.passed, true)
    const all = await bench(target.url, {expect: 'all'})
    assert.deepEqual(all.deliveries, {duplicates: 0, expected: 60, lost: 6, received: 54, unexpected: 0})
    assert.equal(all.messages.partial, 6)

    // And the other way round: the generated handler's copies to the sender are "unexpected" under "others".
    const everyone = await server()
    const skipped = await bench(everyone.url, {expect: 'others'})
    assert.deepEqual(skipped.deliveries, {duplicates: 0, expected: 54, lost: 0, received: 54, unexpected: 6})
  })

  it('a connection the API closes mid-run is reported as dropped and loses what it was sent', async () => {
    const target = await server({closeConnection: {code: 4000, index: 4}})
    const result = await bench(target.url, {clients: 5, intervalMs: 100, senders: 1})
    assert.deepEqual(result.connections.dropped, {'4000': 1})
    // The first broadcast expected all 5 clients; the next two only the 4 still open.
    assert.deepEqual(result.deliveries, {duplicates: 0, expected: 13, lost: 1, received: 12, unexpected: 0})
  })

  it('refuses settings it cannot run, naming the flag, before connecting', async () => {
    await assert.rejects(bench('ws://127.0.0.1:1/v1', {clients: 2, senders: 3}), {
      exit: 2,
      message: '--senders 3 is more than --clients 2: senders are some of the clients.',
    })
    await assert.rejects(bench('ws://127.0.0.1:1/v1', {clients: 1.5}), {
      exit: 2,
      message: '--clients must be a whole number of at least 1, not 1.5.',
    })
    await assert.rejects(bench('ws://127.0.0.1:1/v1', {rate: 0}), {
      exit: 2,
      message: '--rate must be above 0 connections per second, not 0.',
    })
    await assert.rejects(bench('ws://127.0.0.1:1/v1', {timeoutMs: 0}), {
      exit: 2,
      message: '--timeout must be above 0, not 0.',
    })
  })

  it('ramps connections at --rate per second', async () => {
    const target = await server()
    const began = performance.now()
    await bench(target.url, {clients: 5, messages: 1, rate: 20, senders: 1})
    const times = target.handshakes.map((handshake) => handshake.at)
    assert.equal(times.length, 5)
    // 5 clients at 20/s start 50 ms apart: the fifth not before 200 ms (a lower bound: a busy machine only
    // delays it; the first handshake may be delayed more than the last, so their gap proves nothing).
    assert.ok(times[4] - began >= 200, `the fifth handshake came ${times[4] - began} ms after the start`)
  })

  describe('--room', () => {
    it('every client joins and waits for the reply before the schedule starts; messages carry the room; deliveries count the members', async () => {
      const target = await server({rooms: {}})
      const phases: BenchPhase[] = []
      const result = await bench(target.url, {
        onProgress: (progress) => phases.push(progress.phase),
        progressIntervalMs: 5,
        room: 'a',
      })
      const joins = target.received.filter((text) => JSON.parse(text).message === 'join')
      const sends = target.received.filter((text) => JSON.parse(text).message === 'sendmessage')
      assert.deepEqual(new Set(joins), new Set(['{"message":"join","room":"a"}']))
      assert.equal(joins.length, 10)
      assert.equal(
        target.received.findIndex((text) => JSON.parse(text).message === 'sendmessage'),
        10,
        'every join came before the first message',
      )
      assert.equal(sends.length, 6)
      for (const text of sends) assert.deepEqual(Object.keys(JSON.parse(text)), ['message', 'room', 'data'])
      assert.equal(target.rooms.get('a')?.size, 10)
      assert.deepEqual(result.room, {failures: {}, joined: 10, name: 'a', tried: 10})
      assert.deepEqual(result.deliveries, {duplicates: 0, expected: 60, lost: 0, received: 60, unexpected: 0})
      assert.equal(result.otherFrames.total, 0, 'the join replies are not counted as other frames')
      assert.deepEqual([result.passed, result.settings.room], [true, 'a'])
      assert.ok(phases.includes('joining'))
    })

    it('an API that refuses the join (no rooms: Forbidden) fails in one line naming the join frame', async () => {
      const target = await server()
      await assert.rejects(bench(target.url, {room: 'a'}), {
        message:
          /^No client could join room a \(Forbidden ×10\): the API must answer \{"message":"join","room":"a"\} \(a project made with `wsapi init --rooms` does\)\.$/,
      })
      assert.equal(
        target.received.filter((text) => JSON.parse(text).message === 'sendmessage').length,
        0,
        'nothing was sent',
      )
    })

    it('a join that gets no reply within the timeout counts as failed', async () => {
      const target = await server({rooms: {answerJoins: false}})
      await assert.rejects(
        bench(target.url, {clients: 3, room: 'a', senders: 1}),
        /No client could join room a \(no reply ×3\)/,
      )
    })

    it('a bad room name is a usage error before connecting', async () => {
      await assert.rejects(bench('ws://127.0.0.1:1/v1', {room: 'no way'}), {
        exit: 2,
        message: /^--room: "no way" is not a room name/,
      })
    })
  })
})
