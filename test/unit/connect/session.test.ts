import assert from 'node:assert/strict'

import {backoffDelay, Session, type SessionEvent} from '../../../src/lib/connect/session.js'
import {startServer, type TestServer} from '../../helpers/ws-servers.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('connect session', () => {
  it('backs off exponentially up to the maximum, with ±20% jitter', () => {
    const options = {initialMs: 500, maxMs: 30_000}
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(attempt, options, () => 0.5)),
      [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000],
    )
    assert.equal(
      backoffDelay(2, options, () => 0),
      800,
    )
    assert.equal(
      backoffDelay(2, options, () => 1),
      1200,
    )
    assert.equal(
      backoffDelay(9, options, () => 1),
      30_000,
    )
  })

  describe('against a server', () => {
    let server: TestServer
    let session: Session | undefined
    const events: SessionEvent[] = []
    const received = () => events.flatMap((event) => (event.type === 'message' ? [event.data.toString()] : []))
    const until = async (check: () => boolean, ms = 20_000) => {
      const deadline = Date.now() + ms
      while (!check()) {
        if (Date.now() > deadline)
          throw new Error(`timed out; events: ${JSON.stringify(events.map((event) => event.type))}`)
        await sleep(10)
      }
    }

    afterEach(async () => {
      await session?.close()
      await server?.close()
      events.length = 0
    })

    it('keeps the messages that arrive together with the handshake', async () => {
      server = await startServer({}, (socket) => {
        for (const text of ['one', 'two', 'three']) socket.send(text)
      })
      session = new Session({url: server.url}, (event) => events.push(event))
      const open = await session.start()
      assert.equal(open.connection, 1)
      await until(() => received().length === 3)
      assert.deepEqual(received(), ['one', 'two', 'three'])
    })

    it('sends a keepalive frame only after the interval passes with no data either way', async () => {
      const intervalMs = 300
      // When each frame went either way (performance.now()), in order: what a keepalive must follow by a full interval.
      const timeline: Array<{at: number; what: string}> = []
      server = await startServer()
      session = new Session({keepalive: {intervalMs, text: 'ka'}, url: server.url}, (event) => {
        events.push(event)
        if (event.type === 'keepalive' || event.type === 'message')
          timeline.push({at: performance.now(), what: event.type})
      })
      await session.start()
      // Busy for a while: a message every quarter interval (a slow machine may stretch the gaps; the check below
      // compares each keepalive with what came just before it, so it holds whatever the gaps turn out to be).
      for (let i = 0; i < 8; i++) {
        session.send(`busy ${i}`)
        timeline.push({at: performance.now(), what: 'send'})
        await sleep(intervalMs / 4)
      }

      await until(() => events.filter((event) => event.type === 'keepalive').length === 2, 30_000)
      for (const [index, entry] of timeline.entries()) {
        if (entry.what !== 'keepalive') continue
        assert.ok(index > 0, 'the busy messages came first')
        // The session allows itself 5 ms of timer rounding; 5 more for the readings here, taken just after its own.
        assert.ok(
          entry.at - timeline[index - 1].at >= intervalMs - 10,
          `a keepalive after ${entry.at - timeline[index - 1].at} ms of silence`,
        )
      }

      await until(() => server.messages.filter((text) => text === 'ka').length === 2, 30_000)
      assert.deepEqual(
        server.messages.filter((text) => text !== 'ka'),
        Array.from({length: 8}, (_, i) => `busy ${i}`),
      )
    })

    it('holds messages sent while reconnecting and delivers them on the new connection', async () => {
      let connections = 0
      server = await startServer({}, (socket) => {
        connections++
        if (connections === 1) socket.terminate()
      })
      let sentWhileAway: unknown
      // Sent the moment the session reports it is reconnecting, not after a wait that a slow machine overruns.
      session = new Session({reconnect: {initialMs: 50, maxMs: 100}, url: server.url}, (event) => {
        events.push(event)
        if (event.type === 'retry' && sentWhileAway === undefined) sentWhileAway = session!.send('while away')
      })
      await session.start()
      await until(() => sentWhileAway !== undefined)
      assert.deepEqual(sentWhileAway, {bytes: 10, frames: 1, queued: true})
      await until(() => server.messages.includes('while away'))
      const opens = events.filter((event) => event.type === 'open')
      assert.deepEqual(
        opens.map((event) => event.type === 'open' && event.connection),
        [1, 2],
      )
    })

    it('measures a ping round trip; a closed session ends once, by the user', async () => {
      server = await startServer()
      session = new Session({url: server.url}, (event) => events.push(event))
      await session.start()
      assert.ok((await session.ping('x')) >= 0)
      const end = await session.close(4000, 'bye')
      assert.deepEqual(end, {byUser: true, code: 4000, reason: 'bye'})
      await session.close()
      assert.equal(events.filter((event) => event.type === 'end').length, 1)
      await assert.rejects(session.ping(), /Not connected/)
    })
  })
})
