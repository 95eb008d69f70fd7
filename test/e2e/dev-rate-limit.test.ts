import assert from 'node:assert/strict'

import {connect, type DevProcess, sleep, startDev, type TestClient} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

// The generated broadcast handler's per-connection rate limit, unmodified, under `wsapi dev` (its DynamoDB
// holds the buckets): one client floods, the others still talk.

const FLOOD = 40
const BURST = 5
/** 30 per minute: one token every 2 s, so the flood meets an empty bucket however slow this machine is. */
const TOKEN_MS = 2000

/** Connection ids in the order their $connect was logged. */
function connectedIds(dev: DevProcess): string[] {
  return [...dev.stderr.matchAll(/\$connect\s+([\w-]{15}=)/g)].map((match) => match[1])
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

describe('wsapi dev: the generated rate limit', function () {
  this.timeout(120_000)
  let dev: DevProcess
  const clients: TestClient[] = []

  /** Connects and waits for its $connect, so that the client is in the table before anyone broadcasts. */
  async function join(): Promise<{client: TestClient; id: string}> {
    const before = connectedIds(dev).length
    const client = await connect(dev.ready.url)
    clients.push(client)
    await until(() => connectedIds(dev).length > before, '$connect')
    return {client, id: connectedIds(dev)[before]}
  }

  before(async () => {
    dev = await startDev(scaffoldProject({rateBurst: BURST, rateLimit: '30/m'}))
  })

  after(async () => {
    for (const client of clients) client.close()
    await dev?.stop()
  })

  it('answers a flooding client with "rate limited", broadcasts only what it allowed, and lets another client through', async () => {
    const flooder = await join()
    const listeners = [await join(), await join()]
    const other = await join()

    const started = Date.now()
    for (let n = 0; n < FLOOD; n++) flooder.client.send(JSON.stringify({data: {n}, message: 'sendmessage'}))
    // Each flood message ends in one invocation, logged with its status: 200 (broadcast) or 429 (limited).
    const finished = new RegExp(String.raw`sendmessage\s+${flooder.id}\s+SendmessageFunction\s+\d+ ms\s+(200|429)`, 'g')
    await until(() => [...dev.stderr.matchAll(finished)].length === FLOOD, `${FLOOD} flood invocations`)
    const elapsedMs = Date.now() - started

    // The flooder hears back once per message: its own broadcast, or the limited reply.
    await until(() => flooder.client.messages.length === FLOOD, 'a reply to every flood message')
    const replies = flooder.client.messages
      .splice(0)
      .map((text) => JSON.parse(text) as {error?: string; n?: number; retryAfterMs?: number})
    const limited = replies.filter((reply) => reply.error !== undefined)
    const allowed = replies.filter((reply) => reply.n !== undefined).map((reply) => reply.n!)
    assert.equal(limited.length + allowed.length, FLOOD, JSON.stringify(replies))
    for (const reply of limited) {
      assert.match(
        reply.error!,
        /^Rate limited: send at most 30 messages per minute, 5 at once; this one was dropped, retry in \d+ ms\.$/,
      )
      assert.ok(reply.retryAfterMs! > 0 && reply.retryAfterMs! <= TOKEN_MS, String(reply.retryAfterMs))
    }

    // The whole burst, plus at most one token per 2 s that the flood took.
    assert.ok(allowed.length >= BURST, `allowed ${allowed.length}`)
    assert.ok(
      allowed.length <= BURST + Math.floor(elapsedMs / TOKEN_MS) + 1,
      `allowed ${allowed.length} in ${elapsedMs} ms`,
    )
    // Limited messages were never broadcast: one broadcast (one Scan) per allowed message, none for the rest.
    const broadcasts = [
      ...dev.stderr.matchAll(
        new RegExp(String.raw`"msg":"broadcast"[^\n]*"Route":"sendmessage","sender":"${flooder.id}"`, 'g'),
      ),
    ].length
    assert.equal(broadcasts, allowed.length)

    // Another client is not limited by the flood: its message reaches everyone, after exactly the allowed ones.
    other.client.send(JSON.stringify({data: 'still here', message: 'sendmessage'}))
    for (const listener of [...listeners, other]) {
      const received: string[] = []
      while (received.at(-1) !== '"still here"') received.push(await listener.client.next(30_000))
      assert.deepEqual(
        received
          .slice(0, -1)
          .map((text) => (JSON.parse(text) as {n: number}).n)
          .sort((a, b) => a - b),
        [...allowed].sort((a, b) => a - b),
      )
    }

    assert.equal(await flooder.client.next(30_000), '"still here"')
  })
})
