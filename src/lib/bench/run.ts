import {randomBytes} from 'node:crypto'
import {performance} from 'node:perf_hooks'

import type WebSocket from 'ws'

import {displayUrl, tokenMasker} from '../client/url.js'
import {WsapiError} from '../errors.js'
import {type Output, silentOutput} from '../output.js'
import {assessBench, type BenchResult, formatCounts} from './assess.js'
import {type BenchClient, BenchClients} from './clients.js'
import {DeliveryLedger, expectedRecipients} from './ledger.js'
import {broadcastComposer, classifyFrame, joinFrame} from './messages.js'
import {RoomJoins} from './room.js'
import {paceSenders, ramp, sleep} from './schedule.js'
import {type BenchSettings, validateBenchSettings} from './settings.js'
import {countBy, roundMs} from './stats.js'

/** API Gateway's default quota of new connections per second, per account and Region (reference §4). */
export const APIGW_CONNECT_RATE_QUOTA = 500

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

export type BenchPhase = 'closing' | 'connecting' | 'joining' | 'sending' | 'waiting'

export interface BenchProgress {
  clients: number
  connected: number
  /** Deliveries expected so far (grows while sending). */
  expected: number
  failed: number
  /** With --room: clients whose join was answered so far. */
  joined?: number
  phase: BenchPhase
  /** Messages to send in all. */
  planned: number
  /** Expected deliveries received so far. */
  received: number
  sent: number
}

const MAX_SAMPLES = 5
/** After the last expected delivery, a moment to catch late duplicates and error frames. */
const SETTLE_MS = 100

/** One run: the clients, the ledger of deliveries, and the frames that were not deliveries. */
class BenchRun {
  readonly clients: BenchClients
  readonly errorMessages: string[] = []
  readonly ledger: DeliveryLedger
  readonly otherSamples: string[] = []
  otherTotal = 0
  phase: BenchPhase = 'connecting'
  planned: number
  readonly room?: RoomJoins
  sent = 0
  readonly started = performance.now()
  private readonly compose: (data: {id: string; sentAt: number}) => string
  private readonly hideToken: (text: string) => string
  private onDelivery?: () => void
  private readonly runId = randomBytes(4).toString('hex')

  constructor(
    private readonly options: BenchOptions,
    WebSocketClass: typeof WebSocket,
  ) {
    // The report and errors show the URL with its `token` masked, as `wsapi connect` does.
    this.hideToken = tokenMasker(options.url)
    this.compose = broadcastComposer(
      options.routeField,
      options.route,
      options.room === undefined ? {} : {room: options.room},
    )
    if (options.room !== undefined)
      this.room = new RoomJoins(options.room, joinFrame(options.routeField, options.room), options.timeoutMs)
    this.ledger = new DeliveryLedger(options.clients)
    this.planned = options.senders * options.messages
    this.clients = new BenchClients(options.clients, WebSocketClass, {
      headers: options.headers,
      hideToken: this.hideToken,
      onMessage: (client, data, isBinary) => this.receive(client, data, isBinary),
      subprotocols: options.subprotocols,
      timeoutMs: options.timeoutMs,
      url: options.url,
    })
  }

  progress(): BenchProgress {
    return {
      clients: this.options.clients,
      connected: this.clients.open.size,
      expected: this.ledger.expected,
      failed: this.clients.failed,
      ...(this.room && {joined: this.room.members.size}),
      phase: this.phase,
      planned: this.planned,
      received: this.ledger.delivered,
      sent: this.sent,
    }
  }

  /** Opens every client at the ramp's pace; fails when none could connect. */
  async connectAll(): Promise<void> {
    await ramp(this.options.clients, this.options.rate, (index) => this.clients.connect(index), this.started)
    if (this.clients.open.size === 0) {
      throw new WsapiError(
        `No client could connect to ${displayUrl(this.options.url)} (${formatCounts(this.clients.failures())}): check the URL, that the API is running, and its $connect authorization.`,
        {
          code: 'BENCH_NO_CONNECTION',
        },
      )
    }
  }

  /** With --room: every open client joins, each waiting for the reply to its join; fails when none could. */
  async joinAll(): Promise<void> {
    const {room} = this
    if (!room) return
    this.phase = 'joining'
    await Promise.all([...this.clients.open].map((index) => room.join(this.clients.all[index])))
    if (room.members.size === 0) {
      throw new WsapiError(
        `No client could join room ${room.name} (${formatCounts(room.report().failures)}): the API must answer ${joinFrame(this.options.routeField, room.name)} (a project made with \`wsapi init --rooms\` does).`,
        {code: 'BENCH_NO_JOIN'},
      )
    }
  }

  /** The clients a message should reach: every open one, or with --room the open members. */
  audience(): Set<number> {
    if (!this.room) return this.clients.open
    return new Set([...this.clients.open].filter((index) => this.room!.members.has(index)))
  }

  /** The first `senders` open clients (members, with --room) send their messages at their pace. */
  async sendAll(output: Output): Promise<void> {
    const {options} = this
    const senders = [...this.audience()].slice(0, options.senders)
    if (senders.length < options.senders)
      output.warn(
        `Only ${senders.length} clients are open, so only ${senders.length} of ${options.senders} senders send.`,
      )
    this.planned = senders.length * options.messages
    this.phase = 'sending'
    await paceSenders(senders, options.messages, options.intervalMs, (sender, sequence) =>
      this.sendOne(sender, sequence),
    )
  }

  /** Waits for the deliveries still missing, at most the timeout, then a moment for late frames. */
  async settle(): Promise<void> {
    if (this.ledger.outstanding > 0) {
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.onDelivery = resolve
        timer = setTimeout(resolve, this.options.timeoutMs)
      })
      clearTimeout(timer)
      this.onDelivery = undefined
    }

    // Late duplicates and error frames still count; never wait longer than the user allowed.
    await sleep(Math.min(SETTLE_MS, this.options.timeoutMs))
  }

  result(): BenchResult {
    const {options} = this
    const summary = this.ledger.summary()
    const partial: Omit<BenchResult, 'passed' | 'problems'> = {
      connections: this.clients.report(),
      deliveries: summary.deliveries,
      durationMs: roundMs(performance.now() - this.started),
      errorFrames: {byMessage: countBy(this.errorMessages, (message) => message), total: this.errorMessages.length},
      latency: summary.latency,
      messages: {...summary.messages, planned: this.planned},
      otherFrames: {samples: this.otherSamples, total: this.otherTotal},
      ...(this.room && {room: this.room.report()}),
      settings: {
        clients: options.clients,
        expect: options.expect,
        intervalMs: options.intervalMs,
        messages: options.messages,
        rate: options.rate,
        ...(options.room !== undefined && {room: options.room}),
        route: options.route,
        routeField: options.routeField.join('.'),
        senders: options.senders,
        timeoutMs: options.timeoutMs,
        url: displayUrl(options.url),
      },
      timedOut: this.ledger.outstanding > 0,
    }
    const problems = assessBench(partial, options)
    return {...partial, passed: problems.length === 0, problems}
  }

  private receive(client: BenchClient, data: WebSocket.RawData, isBinary: boolean): void {
    const at = performance.now()
    const text = isBinary ? undefined : data.toString()
    if (this.room?.take(client, text)) return
    const frame = text === undefined ? ({kind: 'other'} as const) : classifyFrame(text, this.runId)
    if (frame.kind === 'broadcast' && this.ledger.received(frame.id, client.index, at)) {
      if (this.ledger.outstanding === 0) this.onDelivery?.()
      return
    }

    if (frame.kind === 'error') {
      this.errorMessages.push(frame.message)
      return
    }

    this.otherTotal++
    if (this.otherSamples.length < MAX_SAMPLES)
      this.otherSamples.push(
        text === undefined ? `<binary, ${(data as Buffer).length} bytes>` : this.hideToken(text.slice(0, 200)),
      )
  }

  private sendOne(sender: number, sequence: number): void {
    const id = `${this.runId}-${sender}-${sequence}`
    const recipients = expectedRecipients(this.options.expect, sender, this.audience())
    const sentAt = performance.now()
    this.ledger.sent(id, sentAt, recipients)
    this.sent++
    const fail = () => {
      this.ledger.sendFailed(id)
      if (this.ledger.outstanding === 0) this.onDelivery?.()
    }

    const {socket} = this.clients.all[sender]
    if (!socket || !this.clients.open.has(sender)) return fail()
    socket.send(this.compose({id, sentAt: roundMs(sentAt)}), (error) => {
      if (error) fail()
    })
  }
}

/**
 * Opens `clients` connections ramped at `rate` per second, has `senders` of them each send `messages`
 * broadcasts, and accounts for every delivery. All times come from one monotonic clock
 * (performance.now) in this process: a message's sentAt and its arrivals never mix clocks.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  validateBenchSettings(options)
  const output = options.output ?? silentOutput
  if (options.rate > APIGW_CONNECT_RATE_QUOTA) {
    output.warn(
      `--rate ${options.rate} is above API Gateway's default quota of ${APIGW_CONNECT_RATE_QUOTA} new connections per second per account and Region; a deployed API may refuse some with 429.`,
    )
  }

  const {WebSocket: WebSocketClass} = await import('ws')
  const run = new BenchRun(options, WebSocketClass)
  const report = () => options.onProgress?.(run.progress())
  const ticker = options.onProgress ? setInterval(report, options.progressIntervalMs ?? 100) : undefined
  ticker?.unref()
  try {
    await run.connectAll()
    report()
    await run.joinAll()
    report()
    await run.sendAll(output)
    run.phase = 'waiting'
    report()
    await run.settle()
  } finally {
    run.phase = 'closing'
    if (ticker) clearInterval(ticker)
    await run.clients.closeAll()
  }

  report()
  return run.result()
}
