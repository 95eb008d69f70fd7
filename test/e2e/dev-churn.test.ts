import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {DynamoDBClient, ScanCommand} from '@aws-sdk/client-dynamodb'

import {connect, type DevProcess, sleep, startDev, type TestClient, tryConnect} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'
import {tempDir} from '../helpers/tmp.js'

/** The summary line the generated sendmessage handler logs once every post of a broadcast is answered. */
interface BroadcastLog {
  failed: number
  gone: number
  sent: number
}

// With fan-out (the default) the summary is also a CloudWatch metrics record: {"_aws":…,"msg":"broadcast",…,"Delivered":…}.
const broadcastLogs = (dev: DevProcess): BroadcastLog[] =>
  [...dev.stderr.matchAll(/\{"_aws":[^\n]*"msg":"broadcast"[^\n]*\}/g)].map((match) => {
    const line = JSON.parse(match[0]) as {Delivered: number; Failed: number; Gone: number}
    return {failed: line.Failed, gone: line.Gone, sent: line.Delivered}
  })

/** Waits for the n-th broadcast result line (1-based). */
async function nthBroadcast(dev: DevProcess, n: number): Promise<BroadcastLog> {
  while (broadcastLogs(dev).length < n) {
    if (dev.child.exitCode !== null) throw new Error(`wsapi dev exited\n${dev.stderr}`)
    await sleep(20)
  }

  return broadcastLogs(dev)[n - 1]
}

describe('wsapi dev: broadcasts while clients come and go', function () {
  this.timeout(120_000)
  before(() => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  })

  it('a broadcast during another client’s $connect leaves its stored connection alone: it gets the next broadcast', async () => {
    // The generated project, with a $connect that (when asked) holds on after storing the connection, until the
    // test releases it: @connections answers 410 for that connection meanwhile, as API Gateway does.
    const dir = scaffoldProject()
    const release = join(tempDir(), 'release')
    const connectFile = join(dir, 'src', 'handlers', 'connect.ts')
    const source = readFileSync(connectFile, 'utf8')
    const stored = '  await connections().add(connectionId, connectedAt)\n'
    assert.ok(source.includes(stored), 'the generated $connect stores the connection')
    writeFileSync(
      connectFile,
      `import {existsSync} from 'node:fs'\n${source.replace(
        stored,
        `${stored}  if (event.queryStringParameters?.hold) while (!existsSync(${JSON.stringify(release)})) await new Promise((resolve) => setTimeout(resolve, 20))\n`,
      )}`,
    )
    const dev = await startDev(dir)
    const dynamo = new DynamoDBClient({
      credentials: {accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret'},
      endpoint: dev.ready.dynamodbEndpoint,
      region: 'us-east-1',
    })
    try {
      const alice = await connect(dev.ready.url)
      const pending = tryConnect(`${dev.ready.url}?hold=1`)
      // Bob's $connect has stored him and is still running.
      while (((await dynamo.send(new ScanCommand({TableName: dev.ready.tables[0].name}))).Count ?? 0) < 2)
        await sleep(20)
      alice.send('{"message":"sendmessage","data":"while bob connects"}')
      const first = await nthBroadcast(dev, 1)
      assert.deepEqual([first.sent, first.gone], [1, 1], 'bob, still connecting, is gone to @connections')
      writeFileSync(release, '')
      const outcome = await pending
      assert.ok(outcome.ok, 'bob connected')
      const bob = outcome.client
      alice.send('{"message":"sendmessage","data":"now bob is in"}')
      assert.equal((await nthBroadcast(dev, 2)).sent, 2, 'the second broadcast reached bob too')
      assert.equal(await bob.next(), '"now bob is in"')
      alice.close()
      bob.close()
    } finally {
      dynamo.destroy()
      await dev.stop()
    }
  })

  it('churn soak: every client open for a whole broadcast receives it', async () => {
    const dev = await startDev(scaffoldProject())
    try {
      const stable = await Promise.all(Array.from({length: 20}, () => connect(dev.ready.url)))
      interface Tracked {
        client: TestClient
        leftAt: number
        openAt: number
      }
      const tracked: Tracked[] = stable.map((client) => ({client, leftAt: Infinity, openAt: 0}))
      let churning = true
      // Churning clients connect, stay up to half a second, and close; each step waits for the previous one.
      const churners = Array.from({length: 8}, async () => {
        while (churning) {
          const outcome = await tryConnect(dev.ready.url).catch(() => undefined)
          if (!outcome?.ok) continue
          const entry = {client: outcome.client, leftAt: Infinity, openAt: performance.now()}
          tracked.push(entry)
          await sleep(Math.random() * 500)
          entry.leftAt = performance.now()
          outcome.client.close(1000)
          await outcome.client.closed
        }
      })
      let expected = 0
      let lost = 0
      const checks: Array<Promise<void>> = []
      for (let n = 1; n <= 30; n++) {
        const marker = `b${n}`
        const sentAt = performance.now()
        stable[n % stable.length].send(JSON.stringify({data: marker, message: 'sendmessage'}))
        await nthBroadcast(dev, n)
        const doneAt = performance.now()
        // Owed: open before the send, and not leaving until every post had been answered.
        const owed = tracked.filter((entry) => entry.openAt < sentAt && entry.leftAt > doneAt)
        expected += owed.length
        checks.push(
          ...owed.map(async ({client}) => {
            const deadline = performance.now() + 20_000
            while (!client.messages.includes(JSON.stringify(marker)) && performance.now() < deadline) {
              await sleep(20)
            }

            if (!client.messages.includes(JSON.stringify(marker))) lost++
          }),
        )
      }

      churning = false
      await Promise.all([...checks, ...churners])
      assert.ok(expected >= 30 * 20, `${expected} deliveries owed`)
      assert.equal(lost, 0, `lost ${lost} of ${expected}`)
      for (const client of stable) client.close()
    } finally {
      await dev.stop()
    }
  })
})
