#!/usr/bin/env node
// Sharded fan-out against the inline broadcast, both as generated, through the real emulator: two projects are
// scaffolded into a temp folder, the default one (FANOUT_SHARDS 16, FANOUT_INLINE_MAX 250) and `--fanout-shards 1`
// (every broadcast posted by the route's own function: the baseline). Each runs in `wsapi dev` (startDevServer, in
// this process) with LATENCY_MS added to each @connections call and DYNAMODB_MS to each DynamoDB call, and the
// account's @connections throttle as on AWS (10,000/s, burst 5,000). Clients live in a child process.
//
// For each project, in the same run:
// - SMALL clients (100): ROUNDS broadcasts, the median time from the send to the last client's delivery. Both
//   projects post inline here (fewer than FANOUT_INLINE_MAX), so the ratio shows what the default costs small rooms.
// - LARGE clients (10,000): ROUNDS broadcasts, the median time to the last delivery, lost and duplicate deliveries
//   (counted after every shard has logged its summary line, so late duplicates are seen).
// Beside it, the floor that no sharding can beat on this machine: the AWS SDK client's CPU per post (measured from
// the inline handler's thread, as bench/handler-fanout-dev.mjs does) × N / cores. On AWS the shards run on separate
// machines; the README's capacity model covers that.
//
// Run `npm run build` first. About 3 minutes on a quiet 2-core machine.
//   node bench/fanout-shards.mjs
//   SMALL=100 LARGE=10000 ROUNDS=3 LATENCY_MS=20 DYNAMODB_MS=5 CONNECT_BATCH=500 DEV_CONCURRENCY=4 VERBOSE=1 node bench/fanout-shards.mjs
// (VERBOSE=1 prints the handlers' summary lines: each shard's deliveries, 429s and time.)
import {execFileSync, fork} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {availableParallelism, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {openInBatches} from './open-sockets.mjs'

/** Linux counts thread CPU time in ticks of 1/100 s (USER_HZ). */
const TICK_MS = 10

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

if (process.argv[2] === 'clients') runClients()
else await main()

// ---- the clients (child process) -----------------------------------------------------------------------------------

function runClients() {
  const sockets = []
  /** marker → deliveries per socket index */
  const seen = new Map()
  process.once('disconnect', () => process.exit(0))
  process.on('message', async (command) => {
    if (command.type === 'connect') {
      const opened = await openInBatches(command.url, command.count, command.batch)
      for (const ws of opened.sockets) {
        const index = sockets.length
        sockets.push(ws.on('error', () => {}))
        ws.on('message', (data) => {
          const marker = /"marker":"([^"]+)"/.exec(data.toString())?.[1]
          const counts = marker && seen.get(marker)
          if (counts) counts.record(index)
        })
      }

      const {failures} = opened
      process.send({failures, open: sockets.length, type: 'connected'})
    } else if (command.type === 'broadcast') {
      const counts = new Array(sockets.length).fill(0)
      let left = sockets.length
      const started = performance.now()
      const timer = setTimeout(() => process.send({lastMs: Number.NaN, left, type: 'delivered'}), command.timeoutMs)
      seen.set(command.marker, {
        counts,
        record(index) {
          if (counts[index]++ === 0 && --left === 0) {
            clearTimeout(timer)
            process.send({lastMs: performance.now() - started, left: 0, type: 'delivered'})
          }
        },
      })
      sockets[0].send(JSON.stringify({data: {marker: command.marker}, message: 'sendmessage'}))
    } else if (command.type === 'count') {
      const {counts} = seen.get(command.marker)
      seen.delete(command.marker)
      process.send({
        duplicates: counts.reduce((sum, count) => sum + Math.max(0, count - 1), 0),
        lost: counts.filter((count) => count === 0).length,
        type: 'counted',
      })
    } else if (command.type === 'close') {
      for (const ws of sockets.splice(0)) ws.terminate()
      process.send({type: 'closed'})
    }
  })
}

// ---- the bench -----------------------------------------------------------------------------------------------------

async function main() {
  const small = Number(process.env.SMALL ?? 100)
  const large = Number(process.env.LARGE ?? 10_000)
  const rounds = Number(process.env.ROUNDS ?? 3)
  const latencyMs = Number(process.env.LATENCY_MS ?? 20)
  const dynamodbMs = Number(process.env.DYNAMODB_MS ?? 5)
  const connectBatch = Number(process.env.CONNECT_BATCH ?? 500)
  // wsapi dev's own default: 4 environments per function, so 16 shards run 4 at a time.
  const devConcurrency = Number(process.env.DEV_CONCURRENCY ?? 4)
  const verbose = process.env.VERBOSE === '1'

  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  const {startDevServer} = await import(join(root, 'dist/src/lib/dev/index.js'))
  const work = mkdtempSync(join(tmpdir(), 'wsapi-bench-'))
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

  console.log(
    `Sharded fan-out against inline, through wsapi dev: ${latencyMs} ms per @connections call, ${dynamodbMs} ms per DynamoDB call, ` +
      `${devConcurrency} environments per function, ${availableParallelism()} cores, node ${process.version}; median of ${rounds} broadcasts`,
  )
  const results = {}
  try {
    for (const [name, flags] of [
      ['default', []],
      ['--fanout-shards 1', ['--fanout-shards', '1']],
    ]) {
      const dir = join(work, name === 'default' ? 'sharded' : 'inline')
      execFileSync(
        process.execPath,
        [join(root, 'bin/run.js'), 'init', dir, '--yes', '--name', 'chat', '--rate-limit', 'off', ...flags],
        {stdio: 'ignore'},
      )
      // eslint-disable-next-line no-await-in-loop
      results[name] = await measure(dir)
    }
  } finally {
    clients.kill()
    rmSync(work, {force: true, recursive: true})
  }

  const sharded = results.default
  const inline = results['--fanout-shards 1']
  const cores = availableParallelism()
  const floorMs = (large * inline.cpuPerPostUs) / 1000 / cores
  console.log()
  console.log(
    `${small} clients: default ${seconds(sharded.small)} against --fanout-shards 1 ${seconds(inline.small)} to the last client: ` +
      `${(sharded.small / inline.small).toFixed(2)}× (target ≤ 1.10×; both inline below FANOUT_INLINE_MAX).`,
  )
  console.log(
    `${large} clients: default ${seconds(sharded.large)} against --fanout-shards 1 ${seconds(inline.large)} to the last client: ` +
      `${(inline.large / sharded.large).toFixed(2)}× sooner (target ≥ 2×); lost ${sharded.lost} / ${inline.lost}, duplicates ${sharded.duplicates} / ${inline.duplicates}.`,
  )
  console.log(
    `Floor on this machine: the AWS SDK client's CPU per post ${inline.cpuPerPostUs.toFixed(0)} µs (the inline handler's thread) × ${large} / ${cores} cores = ` +
      `${seconds(floorMs)}; the default took ${(sharded.large / floorMs).toFixed(2)}× that floor, the inline path ${(inline.large / floorMs).toFixed(2)}×. ` +
      `The whole emulator (every thread: functions, @connections, DynamoDB, Lambda API) spent ${sharded.processPerPostUs.toFixed(0)} µs of CPU per post sharded, ${inline.processPerPostUs.toFixed(0)} µs inline.`,
  )

  /** One project in its own dev server: SMALL clients, then LARGE. */
  async function measure(dir) {
    let shardLines = 0
    const output = {
      debug() {},
      error: onLine,
      info: onLine,
      success() {},
      warn: onLine,
    }
    function onLine(line) {
      if (line.includes('"msg":"shard"') && line.includes('"handedOn":false')) shardLines++
      if (verbose && line.includes('"msg":"')) console.log(`    ${line.replace(/\{"_aws":\{.*?\},"msg"/, '{"msg"')}`)
    }

    const dev = await startDevServer({
      concurrency: devConcurrency,
      dir,
      dynamodbLatencyMs: dynamodbMs,
      latencyMs,
      output,
      port: 0,
      watch: false,
      writeState: false,
    })
    const shards = Number(/FANOUT_SHARDS: '(\d+)'/.exec(readFileSync(join(dir, 'template.yaml'), 'utf8'))?.[1] ?? 0)
    const result = {}
    try {
      for (const [size, key] of [
        [small, 'small'],
        [large, 'large'],
      ]) {
        clients.send({batch: connectBatch, count: size - dev.connectionCount, type: 'connect', url: dev.url})
        // eslint-disable-next-line no-await-in-loop
        const connected = await reply('connected')
        if (connected.open !== size)
          throw new Error(
            `${connected.open} of ${size} clients connected; failures: ${JSON.stringify(connected.failures)}`,
          )
        const times = []
        let lost = 0
        let duplicates = 0
        let cpuTicks = 0
        let processCpuUs = 0
        // One warm-up broadcast (cold environments), then the measured ones.
        for (let round = -1; round < rounds; round++) {
          const marker = `m-${key}-${round}-${Math.random()}`
          const shardsBefore = shardLines
          const before = threadTicks()
          const cpuBefore = process.cpuUsage()
          clients.send({marker, timeoutMs: 10 * 60_000, type: 'broadcast'})
          // eslint-disable-next-line no-await-in-loop
          const delivered = await reply('delivered')
          const after = threadTicks()
          const cpu = process.cpuUsage(cpuBefore)
          // A sharded broadcast is over when each of its shards has logged its last summary line.
          const sharded = shards > 0 && size >= 250
          // eslint-disable-next-line no-await-in-loop
          while (sharded && shardLines < shardsBefore + shards) await new Promise((resolve) => setTimeout(resolve, 20))
          clients.send({marker, type: 'count'})
          // eslint-disable-next-line no-await-in-loop
          const counted = await reply('counted')
          if (round < 0) continue
          times.push(delivered.lastMs)
          lost += counted.lost
          duplicates += counted.duplicates
          cpuTicks += busiestThread(before, after)
          processCpuUs += cpu.user + cpu.system
        }

        result[key] = median(times)
        const processPerPostUs = processCpuUs / (size * rounds)
        if (key === 'large')
          Object.assign(result, {
            cpuPerPostUs: (cpuTicks * TICK_MS * 1000) / (size * rounds),
            duplicates,
            lost,
            processPerPostUs,
          })
        console.log(
          `  ${dir.endsWith('sharded') ? 'default          ' : '--fanout-shards 1'}  ${String(size).padStart(6)} clients: last delivery ${seconds(result[key])} (median), ` +
            `lost ${lost}, duplicates ${duplicates}, CPU of the whole emulator per post ${processPerPostUs.toFixed(0)} µs`,
        )
      }
    } finally {
      clients.send({type: 'close'})
      await reply('closed')
      await dev.close()
    }

    return result
  }
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

/** The ticks of the busiest thread other than the main one: the inline broadcast's function environment. */
function busiestThread(before, after) {
  return Math.max(
    0,
    ...[...after].filter(([tid]) => tid !== process.pid).map(([tid, ticks]) => ticks - (before.get(tid) ?? 0)),
  )
}
