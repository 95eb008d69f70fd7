#!/usr/bin/env node
// Churn soak: broadcasts through `wsapi dev` on a default generated project while clients keep connecting
// and leaving, counting every delivery owed to a client that was open for the whole broadcast. Run
// `npm run build` first.
//
// A stable set of clients stays connected; churning clients connect, stay a random while, and leave (a
// close frame, or a dropped TCP connection). One `sendmessage` at a time goes out from a stable client, and
// the broadcast is over when its handler logs its result (every post answered). A client owes the
// delivery when its handshake had completed ($connect had stored it) before the message was sent and it
// had not started to leave when the handler finished; anything it has not received a while after that is
// lost. Bounded by deliveries and by time; prints lost/expected and exits 1 if any was lost.
//   node bench/churn-soak.mjs [deliveries=100000] [stable=200] [churners=60] [max-seconds=900]
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import WebSocket from 'ws'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {startDevServer} = await import(join(root, 'dist/src/lib/dev/index.js'))
const target = Number(process.argv[2] ?? 100_000)
const stableCount = Number(process.argv[3] ?? 200)
const churnerCount = Number(process.argv[4] ?? 60)
const maxSeconds = Number(process.argv[5] ?? 900)
/** How long an owed delivery may take to arrive after the handler finished before it counts as lost. */
const SETTLE_MS = 10_000

// The handler's result lines ({"route":"sendmessage","sender":…,"sent":…}), in order; one broadcast runs at a time.
const results = []
let resultWaiter
const warnings = []
const output = {
  debug() {},
  error(message) {
    warnings.push(message)
  },
  info(message) {
    const match = /\{"route":"sendmessage".*\}/.exec(message)
    if (!match) return
    results.push({...JSON.parse(match[0]), at: performance.now()})
    resultWaiter?.()
  },
  success() {},
  warn(message) {
    if (!/\$disconnect|\$connect/.test(message)) warnings.push(message)
  },
}

const work = mkdtempSync(join(tmpdir(), 'wsapi-churn-'))
// Inline broadcasts (--fanout-shards 1): this soak times each delivery against the end of the one handler that made
// it; a sharded broadcast ends with its last shard instead (bench/fanout-shards.mjs and test/e2e/dev-fanout.test.ts).
execFileSync(
  process.execPath,
  [join(root, 'bin/run.js'), 'init', join(work, 'chat'), '--yes', '--fanout-shards', '1'],
  {stdio: 'ignore'},
)
const dev = await startDevServer({dir: join(work, 'chat'), output, port: 0, watch: false, writeState: false})

/** A client and what it received; openAt when the handshake completed, leftAt when it started to leave. */
function open(url) {
  return new Promise((resolve) => {
    const client = {leftAt: Infinity, openAt: Infinity, received: new Set(), ws: new WebSocket(url)}
    client.ws.on('open', () => {
      client.openAt = performance.now()
      resolve(client)
    })
    client.ws.on('message', (data) => {
      const text = data.toString()
      if (text.startsWith('"b')) client.received.add(JSON.parse(text))
    })
    client.ws.on('error', () => resolve(undefined))
    client.ws.on('close', () => {
      client.leftAt = Math.min(client.leftAt, performance.now())
      resolve(undefined)
    })
  })
}

const everyone = []
let connectFailures = 0
const stable = []
for (let i = 0; i < stableCount; i += 50) {
  // eslint-disable-next-line no-await-in-loop
  const batch = await Promise.all(Array.from({length: Math.min(50, stableCount - i)}, () => open(dev.url)))
  for (const client of batch) if (client) stable.push(client)
}

everyone.push(...stable)
const started = performance.now()
let churning = true
let churnCycles = 0

async function churner() {
  while (churning) {
    // eslint-disable-next-line no-await-in-loop
    const client = await open(dev.url)
    if (!client) {
      connectFailures++
      continue
    }

    everyone.push(client)
    churnCycles++
    // eslint-disable-next-line no-await-in-loop
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 2000))
    client.leftAt = performance.now()
    if (Math.random() < 0.7) client.ws.close(1000)
    else {
      client.terminated = true
      client.ws.terminate()
    }
  }
}

const churners = Array.from({length: churnerCount}, () => churner())
let expected = 0
let lost = 0
let broadcasts = 0
const lostBy = {churner: 0, stable: 0}
const resultTotals = {failed: 0, gone: 0, sent: 0}
const pending = []

/** Checks, SETTLE_MS after the handler finished, that every owed client received the broadcast. */
function settle(marker, owed) {
  return new Promise((resolve) => {
    setTimeout(() => {
      for (const client of owed) {
        if (client.received.has(marker)) continue
        // A client that dropped its TCP connection (no close frame) may have dropped unread data with it: not owed.
        if (client.terminated) {
          expected--
          continue
        }

        lost++
        lostBy[stable.includes(client) ? 'stable' : 'churner']++
      }

      resolve()
    }, SETTLE_MS)
  })
}

while (expected < target && performance.now() - started < maxSeconds * 1000) {
  const marker = `b${broadcasts++}`
  const sender = stable[broadcasts % stable.length]
  const sendAt = performance.now()
  const done = new Promise((resolve) => (resultWaiter = resolve))
  const before = results.length
  sender.ws.send(JSON.stringify({data: marker, message: 'sendmessage'}))
  // eslint-disable-next-line no-await-in-loop
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 60_000).unref())])
  if (results.length === before) {
    console.log(
      `broadcast ${marker} logged no result within 60 s (the handler failed?); warnings: ${warnings.slice(-3).join('\n')}`,
    )
    process.exit(1)
  }

  const result = results[before]
  for (const key of Object.keys(resultTotals)) resultTotals[key] += result[key]
  const owed = everyone.filter((client) => client.openAt < sendAt && client.leftAt > result.at)
  expected += owed.length
  pending.push(settle(marker, owed))
  // Forget the clients that are gone for good, so that the filter above stays cheap.
  for (let i = everyone.length - 1; i >= 0; i--)
    if (everyone[i].ws.readyState === WebSocket.CLOSED && everyone[i].leftAt < sendAt - SETTLE_MS) everyone.splice(i, 1)
}

churning = false
await Promise.all(pending)
await Promise.all(churners)
const seconds = (performance.now() - started) / 1000
console.log(
  `${broadcasts} broadcasts in ${seconds.toFixed(0)} s to ${stable.length} stable clients and ${churnerCount} churning ones (${churnCycles} connections came and went, ${connectFailures} handshakes failed)`,
)
console.log(`handler results: sent ${resultTotals.sent}, gone ${resultTotals.gone}, failed ${resultTotals.failed}`)
console.log(
  `lost ${lost} / expected ${expected} deliveries to clients open for the whole broadcast (stable ${lostBy.stable}, churning ${lostBy.churner})`,
)
if (warnings.length > 0) console.log(`${warnings.length} warnings; first: ${warnings.slice(0, 3).join('\n')}`)
for (const client of stable) client.ws.terminate()
await dev.close()
rmSync(work, {force: true, recursive: true})
process.exit(lost === 0 ? 0 : 1)
