#!/usr/bin/env node
// Fan-out through `wsapi dev` against a plain `ws` broadcast server, measured by the same clients in the
// same run: N clients connect at once (errors counted), then one `sendmessage` reaches all N, through the
// generated handlers, the DynamoDB scan and one @connections post per recipient. Prints the ratio of
// time per delivered message (dev / plain ws); target ≤ 5×. Run `npm run build` first.
//   node bench/dev-fanout.mjs [clients=1000] [rounds=7] [warm-up rounds=3]
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {Worker} from 'node:worker_threads'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import WebSocket, {WebSocketServer} from 'ws'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {startDevServer} = await import(join(root, 'dist/src/lib/dev/index.js'))
const clients = Number(process.argv[2] ?? 1000)
const rounds = Number(process.argv[3] ?? 7)
const warmUp = Number(process.argv[4] ?? 3)

function connectAll(url, count) {
  let errors = 0
  const started = performance.now()
  return Promise.all(
    Array.from(
      {length: count},
      () =>
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
    // eslint-disable-next-line no-await-in-loop -- rounds one after another: each measures one broadcast alone
    const result = await fanOut(connect.sockets, round)
    // Warm-up rounds pay the cold start and let the JIT settle, as a busy Lambda would have.
    if (round >= warmUp) samples.push(result.ms)
    lost += result.lost
    // Let the handler finish (its last posts are answered after the last delivery), so that the next
    // round finds it warm instead of starting a second environment.
    // eslint-disable-next-line no-await-in-loop -- the pause between rounds is the point
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  for (const ws of connect.sockets) ws.terminate()
  samples.sort((a, b) => a - b)
  const median = samples[Math.floor(samples.length / 2)]
  return {
    connectErrors: connect.errors,
    connectMs: connect.ms,
    lost,
    median,
    name,
    perMessageUs: (median * 1000) / clients,
  }
}

/**
 * The floor no emulator can go under: the same posts made by the AWS SDK v3 client the generated handler uses
 * (configured as runtime/management.ts does),
 * from a worker thread (as the handler runs), with the same concurrency, against an HTTP server that does nothing.
 */
async function sdkFloor() {
  const noop = createServer((request, response) =>
    request.resume().on('end', () => response.writeHead(200, {'content-length': 0}).end()),
  )
  await new Promise((resolve) => noop.listen(0, '127.0.0.1', resolve))
  const worker = new Worker(
    `const {workerData, parentPort} = require('node:worker_threads')
     const {ApiGatewayManagementApiClient, PostToConnectionCommand} = require(workerData.sdk)
     const client = new ApiGatewayManagementApiClient({cacheMiddleware: true, credentials: {accessKeyId: 'a', secretAccessKey: 'b'}, endpoint: workerData.endpoint, region: 'us-east-1'})
     ;(async () => {
       const samples = []
       for (let round = 0; round < workerData.rounds; round++) {
         const started = performance.now()
         let next = 0
         await Promise.all(Array.from({length: 50}, async () => {
           while (next < workerData.clients) { next++; await client.send(new PostToConnectionCommand({ConnectionId: 'AAAAAAAAAAAAAAA=', Data: new TextEncoder().encode('{"marker":"x"}')})) }
         }))
         samples.push(performance.now() - started)
       }
       parentPort.postMessage(samples)
     })()`,
    {
      env: {AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
      eval: true,
      workerData: {
        clients,
        endpoint: `http://127.0.0.1:${noop.address().port}/v1`,
        rounds: warmUp + rounds,
        sdk: join(root, 'node_modules/@aws-sdk/client-apigatewaymanagementapi'),
      },
    },
  )
  const samples = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject))
  await worker.terminate()
  noop.close()
  const measured = samples.slice(warmUp).sort((a, b) => a - b)
  const median = measured[Math.floor(measured.length / 2)]
  return {median, name: 'AWS SDK posts alone', perMessageUs: (median * 1000) / clients}
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
const dev = await startDevServer({
  dir: join(work, 'chat'),
  logInvocations: false,
  port: 0,
  watch: false,
  writeState: false,
})

try {
  const results = []
  results.push(await measure('plain ws broadcast', `ws://127.0.0.1:${plain.address().port}`))
  results.push(await measure('wsapi dev', dev.url))
  const floor = await sdkFloor()
  const [plainWs, wsapiDev] = results
  console.log(`${clients} clients, median of ${rounds} fan-outs each (after ${warmUp} warm-up rounds)`)
  for (const r of results) {
    console.log(
      `${r.name.padEnd(20)} connect ${r.connectMs.toFixed(0).padStart(6)} ms (${r.connectErrors} errors)   fan-out ${r.median.toFixed(1).padStart(7)} ms   ${r.perMessageUs.toFixed(1).padStart(7)} µs/message   lost ${r.lost}`,
    )
  }

  console.log(
    `${floor.name.padEnd(20)} ${clients} PostToConnection calls (concurrency 50, no-op server) ${floor.median.toFixed(1).padStart(7)} ms   ${floor.perMessageUs.toFixed(1).padStart(7)} µs/message`,
  )
  const ratio = (value) => `${(value / plainWs.perMessageUs).toFixed(2)}×`
  console.log(
    `ratio wsapi dev / plain ws, time per delivered message:            ${ratio(wsapiDev.perMessageUs)}  (target ≤ 5×)`,
  )
  console.log(`  of which the AWS SDK client in the handler (floor) / plain ws:   ${ratio(floor.perMessageUs)}`)
  console.log(
    `  and the emulator itself (dev − SDK floor) / plain ws:            ${ratio(Math.max(0, wsapiDev.perMessageUs - floor.perMessageUs))}`,
  )
} finally {
  await dev.close()
  plain.close()
  rmSync(work, {force: true, recursive: true})
}
