#!/usr/bin/env node
// Fan-out through `wsapi dev` against a plain `ws` broadcast server, measured by the same clients in the
// same run: N clients connect at once (errors counted), then one `sendmessage` reaches all N, through the
// generated handlers, the DynamoDB scan and one @connections post per recipient. Prints the ratio of
// time per delivered message (dev / plain ws); target ≤ 5×. Run `npm run build` first.
//   node bench/dev-fanout.mjs [clients=1000] [rounds=7] [warm-up rounds=3]
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import WebSocket, {WebSocketServer} from 'ws'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {startDevServer} = await import(join(root, 'dist/lib/dev/index.js'))
const clients = Number(process.argv[2] ?? 1000)
const rounds = Number(process.argv[3] ?? 7)
const warmUp = Number(process.argv[4] ?? 3)

function connectAll(url, count) {
  let errors = 0
  const started = performance.now()
  return Promise.all(
    Array.from({length: count}, () =>
      new Promise((resolve) => {
        const ws = new WebSocket(url)
        ws.on('open', () => resolve(ws))
        ws.on('error', () => {
          errors++
          resolve(undefined)
        })
      }),
    ),
  ).then((sockets) => ({errors, ms: performance.now() - started, sockets: sockets.filter(Boolean)}))
}

/** Sends one broadcast from sockets[0]; resolves with ms until every socket received it. */
function fanOut(sockets, round) {
  return new Promise((resolve) => {
    const marker = `round-${round}-${Math.random()}`
    let left = sockets.length
    const started = performance.now()
    const timer = setTimeout(() => resolve({lost: left, ms: performance.now() - started}), 60_000)
    for (const ws of sockets) {
      const onMessage = (data) => {
        if (!data.toString().includes(marker)) return
        ws.off('message', onMessage)
        if (--left === 0) {
          clearTimeout(timer)
          resolve({lost: 0, ms: performance.now() - started})
        }
      }

      ws.on('message', onMessage)
    }

    sockets[0].send(JSON.stringify({data: {marker}, message: 'sendmessage'}))
  })
}

async function measure(name, url) {
  const connect = await connectAll(url, clients)
  const samples = []
  let lost = 0
  for (let round = 0; round < warmUp + rounds; round++) {
    const result = await fanOut(connect.sockets, round)
    // Warm-up rounds pay the cold start and let the JIT settle, as a busy Lambda would have.
    if (round >= warmUp) samples.push(result.ms)
    lost += result.lost
    // Let the handler finish (its last posts are answered after the last delivery), so that the next
    // round finds it warm instead of starting a second environment.
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  for (const ws of connect.sockets) ws.terminate()
  samples.sort((a, b) => a - b)
  const median = samples[Math.floor(samples.length / 2)]
  return {connectErrors: connect.errors, connectMs: connect.ms, lost, median, name, perMessageUs: (median * 1000) / clients}
}

// Baseline: a plain ws server that broadcasts `data` of every message to every client.
const plain = new WebSocketServer({backlog: 4096, host: '127.0.0.1', port: 0})
await new Promise((resolve) => plain.once('listening', resolve))
plain.on('connection', (ws) =>
  ws.on('message', (data) => {
    const text = JSON.stringify(JSON.parse(data.toString()).data)
    for (const client of plain.clients) client.send(text)
  }),
)

const work = mkdtempSync(join(tmpdir(), 'wsapi-bench-'))
execFileSync(process.execPath, [join(root, 'bin/run.js'), 'init', join(work, 'chat'), '--yes'], {stdio: 'ignore'})
const dev = await startDevServer({dir: join(work, 'chat'), logInvocations: false, port: 0, watch: false, writeState: false})

try {
  const results = []
  results.push(await measure('plain ws broadcast', `ws://127.0.0.1:${plain.address().port}`))
  results.push(await measure('wsapi dev', dev.url))
  console.log(`${clients} clients, median of ${rounds} fan-outs each (after ${warmUp} warm-up rounds)`)
  for (const r of results) {
    console.log(
      `${r.name.padEnd(20)} connect ${r.connectMs.toFixed(0).padStart(6)} ms (${r.connectErrors} errors)   fan-out ${r.median.toFixed(1).padStart(7)} ms   ${r.perMessageUs.toFixed(1).padStart(7)} µs/message   lost ${r.lost}`,
    )
  }

  console.log(`ratio (wsapi dev / plain ws, time per delivered message): ${(results[1].perMessageUs / results[0].perMessageUs).toFixed(2)}×  (target ≤ 5×)`)
} finally {
  await dev.close()
  plain.close()
  rmSync(work, {force: true, recursive: true})
}
