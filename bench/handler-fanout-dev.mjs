#!/usr/bin/env node
// Handler fan-out through the real emulator: a default project (scaffolded into a temp folder) runs in `wsapi dev`
// (startDevServer, in this process) with LATENCY_MS added to each @connections call and DYNAMODB_MS to each DynamoDB
// call; N clients (in a child process, connected in batches) are connected; one `sendmessage` is broadcast by the
// generated handler, unmodified, through the AWS SDK v3 client, dynalite and the emulator's @connections API.
//
// The time measured is the handler's own: the emulator's invocation duration of `sendmessage` (from the event handed
// to the function's environment to its result), read from the invocation log. The time until the last client got
// the message is printed next to it. Each setting of BROADCAST_CONCURRENCY is set by editing the Environment of
// SendmessageFunction in the temp project's template.yaml, which the emulator hot-reloads with the connections open.
// The sequential loop is the same generated code with BROADCAST_CONCURRENCY=1: one worker awaiting each post before
// taking the next id from the paged Scan, which is the seed's loop (scan, then await each post in turn) with
// everything else (SDK client, Scan, error handling) identical, so that only the concurrency differs.
// SendmessageFunction's Timeout is raised to 900 s and the emulator's integration timeout to 15 min so that runs past
// 29 s (the sequential loop) are measured to the end; the table says which stay inside 29 s.
//
// CPU: the CPU time of the handler's worker thread during each invocation (Linux /proc per-thread counters, 10 ms
// ticks) divided by the posts gives the AWS SDK client's CPU cost per post (signing, serialising, HTTP, parsing),
// which the in-process bench (bench/handler-fanout.ts, a fake client) does not pay. From it, an ESTIMATE of the
// same broadcast on Lambda, which gives MemorySize / 1769 of a vCPU.
//
// Defaults (2,000 clients; the sequential loop alone takes N × 20 ms ≈ 40 s) run in about 1.5 minutes; SIZES=2000,10000
// in about 7 (the sequential loop is not run above SEQUENTIAL_MAX). Clients live in a child process, so each process
// holds at most N sockets (10,000 fit a 20,000 file limit). Run `npm run build` first.
//
//   node bench/handler-fanout-dev.mjs
//   SIZES=2000,10000 LATENCY_MS=20 DYNAMODB_MS=5 CONCURRENCY=10,25,50,100 ROUNDS=3 WARMUP=1 SEQUENTIAL_MAX=2000 \
//     CONNECT_BATCH=500 MEMORY=256,512,1024 node bench/handler-fanout-dev.mjs
import {execFileSync, fork} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {openInBatches} from './open-sockets.mjs'

/** API Gateway's integration timeout: a handler past it has left its sender with "Endpoint request timed out". */
const INTEGRATION_LIMIT_MS = 29_000
/** Lambda's memory size that buys one full vCPU. */
const MB_PER_VCPU = 1769
/** Linux counts thread CPU time in ticks of 1/100 s (USER_HZ). */
const TICK_MS = 10

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`
const ratio = (value) => `${value.toFixed(2)}×`

if (process.argv[2] === 'clients') runClients()
else await main()

// ---- the clients (child process: 10,000 sockets on each side would not fit one process's file limit) ------------

function runClients() {
  const sockets = []
  process.once('disconnect', () => process.exit(0))
  process.on('message', async (command) => {
    if (command.type === 'connect') {
      const started = performance.now()
      const {failures, sockets: opened} = await openInBatches(command.url, command.count, command.batch)
      for (const ws of opened) sockets.push(ws.on('error', () => {}))
      process.send({failures, ms: performance.now() - started, open: sockets.length, type: 'connected'})
    } else if (command.type === 'send') {
      // The sender is sockets[0]; it waits for nothing (an invalid message only warms the function up).
      sockets[0].send(command.text)
      process.send({type: 'sent'})
    } else if (command.type === 'broadcast') {
      let left = sockets.length
      let within = 0
      let first = Infinity
      const started = performance.now()
      const finish = () => {
        clearTimeout(timer)
        process.send({firstMs: first, lastMs: performance.now() - started, lost: left, type: 'delivered', within})
      }

      const timer = setTimeout(finish, command.timeoutMs)
      for (const ws of sockets) {
        const onMessage = (data) => {
          if (!data.toString().includes(command.marker)) return
          ws.off('message', onMessage)
          const ms = performance.now() - started
          first = Math.min(first, ms)
          if (ms <= INTEGRATION_LIMIT_MS) within++
          if (--left === 0) finish()
        }

        ws.on('message', onMessage)
      }

      sockets[0].send(JSON.stringify({data: {marker: command.marker}, message: 'sendmessage'}))
    } else if (command.type === 'close') {
      for (const ws of sockets) ws.terminate()
      process.exit(0)
    }
  })
}

// ---- the bench ---------------------------------------------------------------------------------------------------

async function main() {
  const numbers = (text, fallback) => (text ? text.split(',').map(Number) : fallback)
  const latencyMs = Number(process.env.LATENCY_MS ?? 20)
  const dynamodbMs = Number(process.env.DYNAMODB_MS ?? 5)
  const sizes = numbers(process.env.SIZES, [2000]).sort((a, b) => a - b)
  const sweep = numbers(process.env.CONCURRENCY, [10, 25, 50, 100])
  const rounds = Number(process.env.ROUNDS ?? 3)
  const warmUp = Number(process.env.WARMUP ?? 1)
  const sequentialMax = Number(process.env.SEQUENTIAL_MAX ?? 2000)
  const connectBatch = Number(process.env.CONNECT_BATCH ?? 500)
  const memorySizes = numbers(process.env.MEMORY, [256, 512, 1024])

  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  const {startDevServer} = await import(join(root, 'dist/src/lib/dev/index.js'))
  const work = mkdtempSync(join(tmpdir(), 'wsapi-bench-'))
  const dir = join(work, 'chat')
  // The inline handler is what this bench measures; bench/fanout-shards.mjs compares it with the sharded default.
  execFileSync(process.execPath, [join(root, 'bin/run.js'), 'init', dir, '--yes', '--fanout-shards', '1'], {
    stdio: 'ignore',
  })
  const templatePath = join(dir, 'template.yaml')
  const generated = readFileSync(templatePath, 'utf8')
  const defaultConcurrency = Number(/BROADCAST_CONCURRENCY: ["'](\d+)["']/.exec(generated)?.[1])
  const memorySize = Number(/ {2}SendmessageFunction:[\s\S]*?MemorySize: (\d+)/.exec(generated)?.[1])
  if (!defaultConcurrency || !memorySize)
    throw new Error('The generated template has no BROADCAST_CONCURRENCY or MemorySize on SendmessageFunction')
  // Long enough to measure a sequential loop to its end (Lambda allows up to 900 s).
  const [head, sendmessage] = generated.split(/(?= {2}SendmessageFunction:\n)/)
  const base = head + sendmessage.replace('Timeout: 29', 'Timeout: 900')
  const withConcurrency = (concurrency) =>
    base.replace(/BROADCAST_CONCURRENCY: ["']\d+["']/, `BROADCAST_CONCURRENCY: "${concurrency}"`)
  writeFileSync(templatePath, withConcurrency(defaultConcurrency))

  // The invocation log is how the bench reads the handler's duration (and its own summary line: sent / failed).
  const waiting = []
  const sdkWarnings = []
  let summary
  const output = {
    debug() {},
    error: (line) => onLine(line),
    info: (line) => onLine(line),
    success() {},
    warn: (line) => onLine(line),
  }
  function onLine(line) {
    if (line.includes('SendmessageFunction') && line.includes('"route":"sendmessage"'))
      summary = JSON.parse(line.slice(line.indexOf('{')))
    else if (line.includes('node-http-handler:WARN')) sdkWarnings.push(line)
    const match = /^\S+ {2}sendmessage +\S+ {2}SendmessageFunction +(\d+) ms {2}(.*)/.exec(line)
    if (!match) return
    waiting.shift()?.({durationMs: Number(match[1]), status: match[2].split('\n')[0], summary})
    summary = undefined
  }

  const nextInvocation = () => new Promise((resolve) => waiting.push(resolve))

  const dev = await startDevServer({
    dir,
    dynamodbLatencyMs: dynamodbMs,
    integrationTimeoutMs: 15 * 60_000,
    latencyMs,
    output,
    port: 0,
    watch: true,
    writeState: false,
  })
  const clients = fork(fileURLToPath(import.meta.url), ['clients'], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
  const reply = (type) =>
    new Promise((resolve, reject) => {
      const onMessage = (message) => {
        if (message.type !== type) return
        clients.off('message', onMessage).off('exit', onExit)
        resolve(message)
      }

      const onExit = (code) => reject(new Error(`the clients' process exited (${code})`))
      clients.on('message', onMessage).once('exit', onExit)
    })

  async function setConcurrency(concurrency) {
    const reloaded = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the emulator did not reload template.yaml within 20 s')), 20_000)
      dev.onReload = (event) => {
        clearTimeout(timer)
        if (event.error) reject(new Error(event.error))
        else resolve()
      }
    })
    writeFileSync(templatePath, withConcurrency(concurrency))
    await reloaded
    // A new environment cold-starts on the next invocation: pay it with a message the handler rejects (one post back).
    const invocation = nextInvocation()
    clients.send({text: '{"message":"sendmessage"}', type: 'send'})
    await invocation
  }

  /** One broadcast: the handler's invocation, the clients' deliveries and the CPU each thread used meanwhile. */
  async function broadcast(count) {
    const before = threadTicks()
    const invocation = nextInvocation()
    const delivered = reply('delivered')
    clients.send({marker: `m-${Math.random()}`, timeoutMs: 20 * 60_000, type: 'broadcast'})
    const [handler, deliveries] = await Promise.all([invocation, delivered])
    const after = threadTicks()
    if (handler.status !== '200' || handler.summary?.sent !== count || deliveries.lost > 0) {
      throw new Error(
        `broadcast to ${count}: status ${handler.status}, summary ${JSON.stringify(handler.summary)}, ${deliveries.lost} not delivered`,
      )
    }

    return {...handler, ...deliveries, ...cpuOf(before, after)}
  }

  const rows = []
  try {
    let connected = 0
    for (const count of sizes) {
      clients.send({batch: connectBatch, count: count - connected, type: 'connect', url: dev.url})
      // eslint-disable-next-line no-await-in-loop
      const connect = await reply('connected')
      connected = connect.open
      if (connected !== count)
        throw new Error(`${connected} of ${count} clients connected; failures: ${JSON.stringify(connect.failures)}`)
      console.log(`${count} clients connected (${(connect.ms / 1000).toFixed(1)} s, batches of ${connectBatch})`)

      const settings = sweep.map((concurrency) => ({
        concurrency,
        name: `generated c=${concurrency}${concurrency === defaultConcurrency ? ' (as generated)' : ''}`,
      }))
      if (count <= sequentialMax) settings.push({concurrency: 1, name: 'sequential loop (c=1)', sequential: true})
      for (const setting of settings) {
        // eslint-disable-next-line no-await-in-loop
        await setConcurrency(setting.concurrency)
        // The sequential loop takes N × latency per round: one round, after the cheap warm-up above.
        const [warm, measured] = setting.sequential ? [0, 1] : [warmUp, rounds]
        for (let i = 0; i < warm; i++) await broadcast(count) // eslint-disable-line no-await-in-loop
        const samples = []
        for (let i = 0; i < measured; i++) samples.push(await broadcast(count)) // eslint-disable-line no-await-in-loop
        samples.sort((a, b) => a.durationMs - b.durationMs)
        const median = samples[Math.floor(samples.length / 2)]
        const perPostUs = (key) =>
          (samples.reduce((sum, sample) => sum + sample[key], 0) * TICK_MS * 1000) / (count * samples.length)
        const row = {
          ...setting,
          count,
          cpuPerPostUs: perPostUs('handlerTicks'),
          helperPerPostUs: perPostUs('helperTicks'),
          ideal: Math.ceil(count / setting.concurrency) * latencyMs,
          lastMs: median.lastMs,
          mainPerPostUs: perPostUs('mainTicks'),
          ms: median.durationMs,
          within: median.within,
        }
        rows.push(row)
        print(row)
      }
    }
  } finally {
    clients.send({type: 'close'})
    await dev.close()
    rmSync(work, {force: true, recursive: true})
  }

  // ---- summary ---------------------------------------------------------------------------------------------------
  const find = (count, concurrency) =>
    rows.find((row) => row.count === count && row.concurrency === concurrency && !row.sequential)
  console.log()
  for (const row of rows.filter((candidate) => candidate.sequential)) {
    const generatedRow = find(row.count, defaultConcurrency)
    if (generatedRow) {
      console.log(
        `At ${row.count} connections the sequential loop took ${ratio(row.ms / generatedRow.ms)} as long as the generated handler (c=${defaultConcurrency}): ` +
          `${seconds(row.ms)} against ${seconds(generatedRow.ms)}; ${row.within} of ${row.count} recipients had the message by 29 s.`,
      )
    }
  }

  const largest = sizes.at(-1)
  if (largest > sequentialMax)
    console.log(
      `At ${largest} connections a sequential loop needs at least N × latency = ${seconds(largest * latencyMs)} (not run).`,
    )
  const meeting = sweep.filter((concurrency) =>
    sizes.every((count) => {
      const row = find(count, concurrency)
      return row && row.ms <= 2 * row.ideal && row.ms < INTEGRATION_LIMIT_MS
    }),
  )
  console.log(
    `Within 2× of the ideal and inside 29 s at ${sizes.join(' and ')} connections here: concurrency ${meeting.length > 0 ? meeting.join(', ') : `none of ${sweep.join(', ')}`}.`,
  )
  if (sdkWarnings.length > 0)
    console.log(
      `The SDK warned ${sdkWarnings.length}× that its sockets were all in use, e.g.: ${sdkWarnings[0].split('\n')[0]}`,
    )

  // CPU per post at the generated concurrency, weighted by posts over the sizes run.
  const generatedRows = rows.filter((row) => !row.sequential && row.concurrency === defaultConcurrency)
  if (generatedRows.length === 0) return
  const posts = generatedRows.reduce((sum, row) => sum + row.count, 0)
  const weighted = (key) => generatedRows.reduce((sum, row) => sum + row[key] * row.count, 0) / posts
  const [handlerUs, helperUs, mainUs] = [
    weighted('cpuPerPostUs'),
    weighted('helperPerPostUs'),
    weighted('mainPerPostUs'),
  ]
  console.log(
    `CPU per post at c=${defaultConcurrency}: the handler's thread (the AWS SDK v3 client: signing, serialising, HTTP, parsing) ${handlerUs.toFixed(0)} µs, ` +
      `V8's helper threads (GC, compilers; shared with the emulator) ${helperUs.toFixed(0)} µs, the emulator's main thread (HTTP, frames, dynalite) ${mainUs.toFixed(0)} µs. ` +
      `The in-process bench's fake client pays none of it: ${largest} posts cost the handler ${seconds((largest * handlerUs) / 1000)} of CPU, ` +
      `so no concurrency brings a broadcast under N × CPU per post (the "N × CPU" column).`,
  )

  // ---- ESTIMATE for Lambda: CPU share = MemorySize / 1769 of a vCPU; one core here taken as one vCPU ---------------
  const target = Math.max(10_000, largest)
  const idealMs = Math.ceil(target / defaultConcurrency) * latencyMs
  const [lowUs, highUs] = [handlerUs, handlerUs + helperUs]
  console.log(
    `\nESTIMATE, not a measurement: ${target} connections on Lambda at ${latencyMs} ms per post and c=${defaultConcurrency} (ideal ${seconds(idealMs)}). ` +
      `Lambda gives MemorySize / ${MB_PER_VCPU} of a vCPU; one core here is taken as one vCPU; CPU per post ${lowUs.toFixed(0)} µs (handler thread) to ${highUs.toFixed(0)} µs (+ all helper threads); ` +
      `the handler takes between max(ideal, CPU) and ideal + CPU:`,
  )
  for (const memory of [...new Set([memorySize, ...memorySizes])].sort((a, b) => a - b)) {
    const scale = MB_PER_VCPU / memory
    const [lowCpu, highCpu] = [(target * lowUs * scale) / 1000, (target * highUs * scale) / 1000]
    const [fastest, slowest] = [Math.max(idealMs, lowCpu), idealMs + highCpu]
    const verdict =
      slowest < INTEGRATION_LIMIT_MS ? 'inside 29 s' : fastest >= INTEGRATION_LIMIT_MS ? 'PAST 29 s' : 'may pass 29 s'
    console.log(
      `  ${String(memory).padStart(5)} MB (${(memory / MB_PER_VCPU).toFixed(3)} vCPU${memory === memorySize ? ', as generated' : ''}): ` +
        `${target} × ${lowUs.toFixed(0)}–${highUs.toFixed(0)} µs × ${MB_PER_VCPU}/${memory} = ${seconds(lowCpu)}–${seconds(highCpu)} of CPU → ${seconds(fastest)}–${seconds(slowest)}, ${verdict}; ` +
        `CPU-bound above c ≈ ${latencyMs} ms / ${((lowUs * scale) / 1000).toFixed(2)} ms = ${Math.max(1, Math.floor((latencyMs * 1000) / (lowUs * scale)))}`,
    )
  }

  // The smallest MemorySize whose slowest estimate stays inside 29 s: ideal + N × highUs × 1769 / M < 29 s.
  const minimum = Math.ceil((target * highUs * MB_PER_VCPU) / 1000 / (INTEGRATION_LIMIT_MS - idealMs))
  console.log(
    `  MemorySize ≥ ${minimum} MB keeps even the slowest estimate inside 29 s (${target} × ${highUs.toFixed(0)} µs × ${MB_PER_VCPU} / (29 s − ${seconds(idealMs)})).`,
  )

  function print(row) {
    if (rows.length === 1) {
      console.log(
        `\nHandler fan-out through wsapi dev: ${latencyMs} ms per @connections call, ${dynamodbMs} ms per DynamoDB call, node ${process.version}; median of ${rounds} (after ${warmUp} warm-up) per setting, sequential: 1`,
      )
      console.log(pad(['N', 'loop', 'handler', 'ideal', 'ratio', 'last rcpt', 'CPU/post', 'N × CPU', '< 29 s']))
    }

    console.log(
      pad([
        String(row.count),
        row.name,
        seconds(row.ms),
        seconds(row.ideal),
        ratio(row.ms / row.ideal),
        seconds(row.lastMs),
        `${row.cpuPerPostUs.toFixed(0)} µs`,
        seconds((row.count * row.cpuPerPostUs) / 1000),
        row.ms < INTEGRATION_LIMIT_MS ? 'yes' : `NO (${row.within} by 29 s)`,
      ]),
    )
  }
}

function pad(cells) {
  return cells
    .map((cell, i) => cell.padEnd([6, 30, 9, 9, 7, 10, 9, 8][i] ?? 0))
    .join(' ')
    .trimEnd()
}

// ---- CPU per thread (Linux): utime + stime of each thread of this process, in clock ticks ---------------------------

function threadTicks() {
  const ticks = new Map()
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks.set(Number(tid), Number(fields[11]) + Number(fields[12]))
    }
  } catch {
    // Not Linux: CPU figures are left at 0.
  }

  return ticks
}

/**
 * The handler's thread is the busiest thread other than the main one (the other functions' environments are idle);
 * the rest are V8's helper threads (GC, compilers), shared by the handler's isolate and the emulator's.
 */
function cpuOf(before, after) {
  const deltas = [...after].filter(([tid]) => tid !== process.pid).map(([tid, ticks]) => ticks - (before.get(tid) ?? 0))
  const handlerTicks = Math.max(0, ...deltas)
  const helperTicks = deltas.reduce((sum, ticks) => sum + ticks, 0) - handlerTicks
  return {handlerTicks, helperTicks, mainTicks: (after.get(process.pid) ?? 0) - (before.get(process.pid) ?? 0)}
}
