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
    assert.equal(backoffDelay(2, options, () => 0), 800)
    assert.equal(backoffDelay(2, options, () => 1), 1200)
    assert.equal(backoffDelay(9, options, () => 1), 30_000)
  })

  describe('against a server', () => {
    let server: TestServer
    let session: Session | undefined
    const events: SessionEvent[] = []
    const received = () => events.flatMap((event) => (event.type === 'message' ? [event.data.toString()] : []))
    const until = async (check: () => boolean, ms = 20_000) => {
      const deadline = Date.now() + ms
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out; events: ${JSON.stringify(events.map((event) => event.type))}`)
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
      server = await startServer()
      session = new Session({keepalive: {intervalMs: 1000, text: 'ka'}, url: server.url}, (event) => events.push(event))
      await session.start()
      // A message every 50 ms: 20 times more often than the interval, so even a slow machine stays busy.
      for (let i = 0; i < 8; i++) {
        session.send(`busy ${i}`)
        await sleep(50)
      }

      assert.ok(!server.messages.includes('ka'), 'no keepalive while the user is active')
      const idleSince = performance.now()
      await until(() => events.filter((event) => event.type === 'keepalive').length === 2, 30_000)
      // Never more than one per interval of silence: two need two intervals (a busy machine only adds time).
      assert.ok(performance.now() - idleSince >= 2 * 1000 - 100, 'two keepalives within two intervals')
      await until(() => server.messages.filter((text) => text === 'ka').length === 2, 30_000)
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
