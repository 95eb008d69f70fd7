import {randomBytes} from 'node:crypto'
import {performance} from 'node:perf_hooks'

import type WebSocket from 'ws'

import {APIGW_CONNECT_RATE_QUOTA} from '../apigw/limits.js'
import {CLIENT_MAX_PAYLOAD_BYTES} from '../client/limits.js'
import {displayUrl, tokenMasker} from '../client/url.js'
import {UsageError, WsapiError} from '../errors.js'
import {type Output, silentOutput} from '../output.js'
import type {PathSegment} from '../project/index.js'
import {DeliveryLedger, type DeliveryTotals, type Expectation, expectedRecipients, type FanOutLatency, type MessageTotals} from './ledger.js'
import {broadcastComposer, classifyFrame} from './messages.js'
import {countBy, type LatencySummary, roundMs, summarize} from './stats.js'

export interface BenchSettings {
  /** Connections to open. */
  clients: number
  /** Who should receive each broadcast. */
  expect: Expectation
  /** Milliseconds between two messages of one sender (senders are staggered across it). */
  intervalMs: number
  /** Broadcasts each sender sends. */
  messages: number
  /** New connections per second while ramping up. */
  rate: number
  route: string
  routeField: PathSegment[]
  /** Clients that send. */
  senders: number
  /** How long a handshake may take, and how long to wait for stragglers after the last send. */
  timeoutMs: number
  url: string
}

export interface BenchOptions extends BenchSettings {
  /** Lost deliveries do not fail the run. */
  allowLoss?: boolean
  /** Headers of each handshake. */
  headers?: Record<string, string>
  /** Subprotocols each handshake asks for (a jwt project's `bearer, <token>`). */
  subprotocols?: string[]
  /** Called every `progressIntervalMs` while the run goes on, and once at the end of each phase. */
  onProgress?: (progress: BenchProgress) => void
  output?: Output
  progressIntervalMs?: number
}

export type BenchPhase = 'closing' | 'connecting' | 'sending' | 'waiting'

export interface BenchProgress {
  clients: number
  connected: number
  /** Deliveries expected so far (grows while sending). */
  expected: number
  failed: number
  phase: BenchPhase
  /** Messages to send in all. */
  planned: number
  /** Expected deliveries received so far. */
  received: number
  sent: number
}

export interface ConnectionReport {
  /** Milliseconds from opening the socket to the handshake's end, for the clients that connected. */
  connect: LatencySummary
  /** Connections that closed before the run closed them, by close code. */
  dropped: Record<string, number>
  failed: number
  /** Failed connects by reason: `HTTP 403` (the handshake status), `ECONNREFUSED`, `timeout`, … */
  failures: Record<string, number>
  open: number
  requested: number
}

export interface BenchResult {
  connections: ConnectionReport
  deliveries: DeliveryTotals
  durationMs: number
  /** API Gateway error frames by their message ("Forbidden", "Internal server error", …). */
  errorFrames: {byMessage: Record<string, number>; total: number}
  latency: FanOutLatency
  messages: MessageTotals & {planned: number}
  /** Frames that were neither a broadcast of this run nor an error frame; the first few, as received. */
  otherFrames: {samples: string[]; total: number}
  /** True when no problem fails the run. */
  passed: boolean
  /** What fails the run, one line each: lost deliveries (unless allowed), failed connects, error frames. */
  problems: string[]
  settings: Omit<BenchSettings, 'routeField'> & {routeField: string}
  /** The run stopped waiting with deliveries still missing. */
  timedOut: boolean
}

const MAX_SAMPLES = 5
const CLOSE_GRACE_MS = 2000
/** After the last expected delivery, a moment to catch late duplicates and error frames. */
const SETTLE_MS = 100

interface BenchClient {
  closing: boolean
  connectMs?: number
  dropCode?: number
  failure?: string
  index: number
  socket?: WebSocket
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, Math.max(0, ms))
  })

/** A failed connect, as short as a table cell: `HTTP 403`, `ECONNREFUSED`, `timeout`. */
export function connectFailureReason(error: Error & {code?: string}): string {
  const status = /Unexpected server response: (\d+)/.exec(error.message)
  if (status) return `HTTP ${status[1]}`
  if (/handshake has timed out/i.test(error.message)) return 'timeout'
  return error.code ?? error.message
}

/** Counts as text, most frequent first: `HTTP 403 ×3, ECONNREFUSED ×1`. */
export function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => `${key} ×${count}`)
    .join(', ')
}

/** What fails a run: lost deliveries (unless allowed), failed connects, API Gateway error frames. */
export function assessBench(result: Omit<BenchResult, 'passed' | 'problems'>, options: {allowLoss?: boolean} = {}): string[] {
  const problems: string[] = []
  const {connections, deliveries, errorFrames, messages} = result
  if (deliveries.lost > 0 && !options.allowLoss) {
    const incomplete = messages.lost + messages.partial
    problems.push(`${deliveries.lost} of ${deliveries.expected} deliveries lost (${incomplete} of ${messages.planned} messages did not reach every recipient)`)
  }

  if (connections.failed > 0) problems.push(`${connections.failed} of ${connections.requested} connections failed (${formatCounts(connections.failures)})`)
  if (errorFrames.total > 0) problems.push(`${errorFrames.total} error frames (${formatCounts(errorFrames.byMessage)})`)
  return problems
}

/** Checks the numbers a run needs; a bad one throws a UsageError naming its flag. */
export function validateBenchSettings(settings: Pick<BenchSettings, 'clients' | 'intervalMs' | 'messages' | 'rate' | 'senders' | 'timeoutMs'>): void {
  const checks: Array<[boolean, string]> = [
    [Number.isInteger(settings.clients) && settings.clients >= 1, `--clients must be a whole number of at least 1, not ${settings.clients}`],
    [Number.isInteger(settings.senders) && settings.senders >= 1, `--senders must be a whole number of at least 1, not ${settings.senders}`],
    [settings.senders <= settings.clients, `--senders ${settings.senders} is more than --clients ${settings.clients}: senders are some of the clients`],
    [Number.isInteger(settings.messages) && settings.messages >= 1, `--messages must be a whole number of at least 1, not ${settings.messages}`],
    [settings.rate > 0, `--rate must be above 0 connections per second, not ${settings.rate}`],
    [settings.intervalMs >= 0, `--interval must be 0 ms or more, not ${settings.intervalMs}`],
    [settings.timeoutMs > 0, `--timeout must be above 0, not ${settings.timeoutMs / 1000}`],
  ]
  const failed = checks.find(([ok]) => !ok)
  if (failed) throw new UsageError(`${failed[1]}.`, {code: 'INVALID_BENCH_SETTING'})
}

/**
 * Opens `clients` connections ramped at `rate` per second, has `senders` of them each send `messages`
 * broadcasts, and accounts for every delivery. All times come from one monotonic clock
 * (performance.now) in this process: a message's sentAt and its arrivals never mix clocks.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  validateBenchSettings(options)
  const output = options.output ?? silentOutput
  // The report and errors show the URL with its `token` masked, as `wsapi connect` does.
  const shownUrl = displayUrl(options.url)
  const hideToken = tokenMasker(options.url)
  if (options.rate > APIGW_CONNECT_RATE_QUOTA) {
    output.warn(`--rate ${options.rate} is above API Gateway's default quota of ${APIGW_CONNECT_RATE_QUOTA} new connections per second per account and Region; a deployed API may refuse some with 429.`)
  }

  const {WebSocket: WebSocketClass} = await import('ws')
  const compose = broadcastComposer(options.routeField, options.route)
  const runId = randomBytes(4).toString('hex')
  const ledger = new DeliveryLedger(options.clients)
  const clients: BenchClient[] = Array.from({length: options.clients}, (_, index) => ({closing: false, index}))
  const open = new Set<number>()
  const errorMessages: string[] = []
  const otherSamples: string[] = []
  let otherTotal = 0
  let sent = 0
  let failed = 0
  let phase: BenchPhase = 'connecting'
  let planned = options.senders * options.messages
  let onDelivery: (() => void) | undefined
  const started = performance.now()

  const progress = (): BenchProgress => ({
    clients: options.clients,
    connected: open.size,
    expected: ledger.expected,
    failed,
    phase,
    planned,
    received: ledger.delivered,
    sent,
  })
  const report = () => options.onProgress?.(progress())
  const ticker = options.onProgress ? setInterval(report, options.progressIntervalMs ?? 100) : undefined
  ticker?.unref()

  const receive = (client: BenchClient, data: WebSocket.RawData, isBinary: boolean) => {
    const at = performance.now()
    const text = isBinary ? undefined : data.toString()
    const frame = text === undefined ? ({kind: 'other'} as const) : classifyFrame(text, runId)
    if (frame.kind === 'broadcast' && ledger.received(frame.id, client.index, at)) {
      if (ledger.outstanding === 0) onDelivery?.()
      return
    }

    if (frame.kind === 'error') {
      errorMessages.push(frame.message)
      return
    }

    otherTotal++
    if (otherSamples.length < MAX_SAMPLES) otherSamples.push(text === undefined ? `<binary, ${(data as Buffer).length} bytes>` : hideToken(text.slice(0, 200)))
  }

  const connect = (client: BenchClient) =>
    new Promise<void>((resolve) => {
      const began = performance.now()
      const socket = new WebSocketClass(options.url, options.subprotocols ?? [], {handshakeTimeout: options.timeoutMs, headers: options.headers, maxPayload: CLIENT_MAX_PAYLOAD_BYTES, perMessageDeflate: false})
      client.socket = socket
      socket.on('open', () => {
        client.connectMs = performance.now() - began
        open.add(client.index)
        resolve()
      })
      socket.on('message', (data, isBinary) => receive(client, data, isBinary))
      socket.on('error', (error: Error & {code?: string}) => {
        if (client.connectMs !== undefined || client.failure) return
        client.failure = hideToken(connectFailureReason(error))
        failed++
        resolve()
      })
      socket.on('close', (code) => {
        open.delete(client.index)
        if (client.connectMs === undefined) {
          if (!client.failure) {
            client.failure = `closed ${code}`
            failed++
          }

          resolve()
        } else if (!client.closing) client.dropCode = code
      })
    })

  try {
    // Ramp: open every client that is due, then sleep until the next one is.
    const gapMs = 1000 / options.rate
    const connecting: Array<Promise<void>> = []
    for (let next = 0; next < clients.length; ) {
      const now = performance.now()
      while (next < clients.length && started + next * gapMs <= now) connecting.push(connect(clients[next++]))
      // eslint-disable-next-line no-await-in-loop -- pacing is the point
      if (next < clients.length) await sleep(started + next * gapMs - performance.now())
    }

    await Promise.all(connecting)
    report()
    if (open.size === 0) {
      const reasons = formatCounts(countBy(clients, (client) => client.failure ?? 'closed'))
      throw new WsapiError(`No client could connect to ${shownUrl} (${reasons}): check the URL, that the API is running, and its $connect authorization.`, {
        code: 'BENCH_NO_CONNECTION',
      })
    }

    const senders = [...open].slice(0, options.senders)
    if (senders.length < options.senders) output.warn(`Only ${senders.length} clients are open, so only ${senders.length} of ${options.senders} senders send.`)
    planned = senders.length * options.messages
    phase = 'sending'
    const sendStart = performance.now()
    const sendOne = (sender: number, sequence: number) => {
      const id = `${runId}-${sender}-${sequence}`
      const recipients = expectedRecipients(options.expect, sender, open)
      const sentAt = performance.now()
      ledger.sent(id, sentAt, recipients)
      sent++
      const fail = () => {
        ledger.sendFailed(id)
        if (ledger.outstanding === 0) onDelivery?.()
      }

      const {socket} = clients[sender]
      if (!socket || !open.has(sender)) return fail()
      socket.send(compose({id, sentAt: roundMs(sentAt)}), (error) => {
        if (error) fail()
      })
    }

    await Promise.all(
      senders.map(async (sender, slot) => {
        const offset = (slot * options.intervalMs) / senders.length
        for (let sequence = 0; sequence < options.messages; sequence++) {
          // eslint-disable-next-line no-await-in-loop -- each sender keeps its own pace
          await sleep(sendStart + offset + sequence * options.intervalMs - performance.now())
          sendOne(sender, sequence)
        }
      }),
    )

    phase = 'waiting'
    report()
    if (ledger.outstanding > 0) {
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        onDelivery = resolve
        timer = setTimeout(resolve, options.timeoutMs)
      })
      clearTimeout(timer)
      onDelivery = undefined
    }

    // Late duplicates and error frames still count; never wait longer than the user allowed.
    await sleep(Math.min(SETTLE_MS, options.timeoutMs))
  } finally {
    phase = 'closing'
    if (ticker) clearInterval(ticker)
    await closeAll(clients)
  }

  report()
  const summary = ledger.summary()
  const connected = clients.filter((client) => client.connectMs !== undefined)
  const failedClients = clients.filter((client) => client.failure !== undefined)
  const partial: Omit<BenchResult, 'passed' | 'problems'> = {
    connections: {
      connect: summarize(connected.map((client) => client.connectMs as number)),
      dropped: countBy(
        connected.filter((client) => client.dropCode !== undefined),
        (client) => String(client.dropCode),
      ),
      failed: failedClients.length,
      failures: countBy(failedClients, (client) => client.failure as string),
      open: connected.length,
      requested: options.clients,
    },
    deliveries: summary.deliveries,
    durationMs: roundMs(performance.now() - started),
    errorFrames: {byMessage: countBy(errorMessages, (message) => message), total: errorMessages.length},
    latency: summary.latency,
    messages: {...summary.messages, planned},
    otherFrames: {samples: otherSamples, total: otherTotal},
    settings: {
      clients: options.clients,
      expect: options.expect,
      intervalMs: options.intervalMs,
      messages: options.messages,
      rate: options.rate,
      route: options.route,
      routeField: options.routeField.join('.'),
      senders: options.senders,
      timeoutMs: options.timeoutMs,
      url: shownUrl,
    },
    timedOut: ledger.outstanding > 0,
  }
  const problems = assessBench(partial, options)
  return {...partial, passed: problems.length === 0, problems}
}

/** Closes every socket with 1000; those that do not finish the closing handshake in time are cut. */
async function closeAll(clients: BenchClient[]): Promise<void> {
  const closing: Array<Promise<void>> = []
  for (const client of clients) {
    const {socket} = client
    if (!socket || socket.readyState === socket.CLOSED) continue
    client.closing = true
    closing.push(
      new Promise<void>((resolve) => {
        socket.once('close', () => resolve())
        if (socket.readyState === socket.CONNECTING) socket.terminate()
        else socket.close(1000, 'bench done')
      }),
    )
  }

  let timer: NodeJS.Timeout | undefined
  await Promise.race([Promise.all(closing), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))])
  clearTimeout(timer)
  for (const client of clients) if (client.socket && client.socket.readyState !== client.socket.CLOSED) client.socket.terminate()
}
