import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {connect, type DevProcess, sleep, startDev, type TestClient} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

// The generated sharded fan-out, unmodified, under `wsapi dev`: the route handler invokes the fan-out function
// asynchronously through the Lambda Invoke API that dev emulates, each shard reads its own scan segment of the
// embedded DynamoDB, and the account's @connections throttle is set so low that every shard meets 429s.

const CLIENTS = 240
const SHARDS = 4
const BROADCASTS = 3
/** @connections calls per second that dev allows (and at once): far below what 4 shards try. */
const RATE_LIMIT = 150
const BURST_LIMIT = 30

async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

/** The JSON summary lines (embedded metric format) that the handlers logged with this `msg`. */
function summaries(dev: DevProcess, msg: 'broadcast' | 'shard'): Array<Record<string, unknown>> {
  // Only complete lines: a summary may be half-way through the pipe while we read.
  return dev.stderr
    .slice(0, dev.stderr.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line.includes(`"msg":"${msg}"`))
    .map((line) => JSON.parse(line.slice(line.indexOf('{"_aws"'))) as Record<string, unknown>)
}

describe('wsapi dev: the generated sharded fan-out', function () {
  this.timeout(300_000)
  let dev: DevProcess
  const clients: TestClient[] = []

  before(async () => {
    // Audiences of 10 or more are sharded; no per-connection limit, so that three quick broadcasts all go out.
    const dir = scaffoldProject({
      fanoutInlineMax: 10,
      fanoutShards: SHARDS,
      rateLimit: 'off',
      reservedConcurrency: 'none',
    })
    dev = await startDev(dir, [
      '--connections-rate-limit',
      String(RATE_LIMIT),
      '--connections-burst-limit',
      String(BURST_LIMIT),
    ])
    for (let batch = 0; batch < CLIENTS; batch += 40) {
      clients.push(
        ...(await Promise.all(Array.from({length: Math.min(40, CLIENTS - batch)}, () => connect(dev.ready.url)))),
      )
    }

    // Every client is in the table before anyone broadcasts.
    await until(
      () => (dev.stderr.match(/\$connect\s+\S+\s+ConnectFunction\s+\d+ ms\s+200/g) ?? []).length === CLIENTS,
      `${CLIENTS} $connect`,
    )
  })

  after(async () => {
    for (const client of clients) client.close()
    await dev?.stop()
  })

  it('reaches every client with every broadcast exactly once, through paced shards that retry 429s', async () => {
    for (let n = 0; n < BROADCASTS; n++)
      clients[n * 7].send(JSON.stringify({data: {broadcast: n}, message: 'sendmessage'}))

    await until(
      () => clients.every((client) => client.messages.length >= BROADCASTS),
      'every broadcast at every client',
    )
    // Late duplicates would arrive while the last shards finish: wait for every shard's summary before counting.
    await until(
      () => summaries(dev, 'shard').filter((line) => line.handedOn === false).length >= BROADCASTS * SHARDS,
      'every shard to finish',
    )
    for (const [index, client] of clients.entries()) {
      const received = client.messages.map((text) => (JSON.parse(text) as {broadcast: number}).broadcast).sort()
      assert.deepEqual(received, [0, 1, 2], `client ${index}`)
    }

    // Each broadcast was split into SHARDS invocations of the fan-out function, one scan segment each.
    const broadcasts = summaries(dev, 'broadcast')
    assert.equal(broadcasts.length, BROADCASTS)
    for (const line of broadcasts)
      assert.deepEqual([line.dispatched, line.notDispatched, line.Delivered], [SHARDS, 0, 0])
    const shards = summaries(dev, 'shard')
    for (const line of broadcasts) {
      const own = shards.filter((shard) => shard.broadcastId === line.broadcastId)
      assert.deepEqual(new Set(own.map((shard) => shard.segment)), new Set([0, 1, 2, 3]))
      assert.equal(
        own.reduce((sum, shard) => sum + Number(shard.Delivered), 0),
        CLIENTS,
      )
      assert.equal(
        own.reduce((sum, shard) => sum + Number(shard.Failed) + Number(shard.Gone), 0),
        0,
      )
    }

    // The low quota was met, and every throttled post was retried until it went through.
    assert.ok(shards.reduce((sum, shard) => sum + Number(shard.Throttled), 0) > 0, 'no shard was throttled')
  })
})

describe('wsapi dev: a shard short of time hands the rest to a new invocation', function () {
  this.timeout(300_000)
  let dev: DevProcess
  const clients: TestClient[] = []

  before(async () => {
    const dir = scaffoldProject({fanoutInlineMax: 10, fanoutShards: 2, rateLimit: 'off', reservedConcurrency: 'none'})
    // A 3 s timeout keeps 1 s in reserve: at 40 calls per second, no shard gets through 60 recipients in one go.
    const template = join(dir, 'template.yaml')
    writeFileSync(template, readFileSync(template, 'utf8').replace(/^ {6}Timeout: 300$/m, '      Timeout: 3'))
    dev = await startDev(dir, ['--connections-rate-limit', '40', '--connections-burst-limit', '10'])
    clients.push(...(await Promise.all(Array.from({length: 120}, () => connect(dev.ready.url)))))
    await until(
      () => (dev.stderr.match(/\$connect\s+\S+\s+ConnectFunction\s+\d+ ms\s+200/g) ?? []).length === clients.length,
      'every $connect',
    )
  })

  after(async () => {
    for (const client of clients) client.close()
    await dev?.stop()
  })

  it('reaches every client exactly once across the hand-offs', async () => {
    clients[0].send(JSON.stringify({data: {broadcast: 'handed on'}, message: 'sendmessage'}))

    await until(() => clients.every((client) => client.messages.length > 0), 'the broadcast at every client')
    await until(
      () => summaries(dev, 'shard').filter((line) => line.handedOn === false).length >= 2,
      'both shards to finish',
    )
    for (const [index, client] of clients.entries())
      assert.deepEqual(client.messages, ['{"broadcast":"handed on"}'], `client ${index}`)
    const shards = summaries(dev, 'shard')
    assert.ok(
      shards.some((line) => line.handedOn === true),
      'no shard handed on',
    )
    assert.ok(shards.some((line) => Number(line.handoffs) > 0))
    assert.equal(
      shards.reduce((sum, line) => sum + Number(line.Delivered), 0),
      clients.length,
    )
    // Timeouts would show as failed invocations, and retried shards as duplicates: there were none.
    assert.doesNotMatch(dev.stderr, /Task timed out|FanoutFunction\s+\S+\s+\d+ ms\s+(?:error|failed)/i)
  })
})
