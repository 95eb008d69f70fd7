import {performance} from 'node:perf_hooks'

import type WebSocket from 'ws'

import {CLIENT_MAX_PAYLOAD_BYTES} from '../client/limits.js'
import type {ConnectionReport} from './assess.js'
import {countBy, summarize} from './stats.js'

/** The connections of a `wsapi bench` run: opening them, who is open, who failed and why, closing them. */

export interface BenchClient {
  closing: boolean
  connectMs?: number
  dropCode?: number
  failure?: string
  index: number
  socket?: WebSocket
}

export interface BenchClientsOptions {
  /** Headers of each handshake. */
  headers?: Record<string, string>
  /** Masks the token in failure reasons that quote the URL. */
  hideToken: (text: string) => string
  /** Every frame any client receives. */
  onMessage: (client: BenchClient, data: WebSocket.RawData, isBinary: boolean) => void
  /** Subprotocols each handshake asks for (a jwt project's `bearer, <token>`). */
  subprotocols?: string[]
  /** How long a handshake may take. */
  timeoutMs: number
  url: string
}

const CLOSE_GRACE_MS = 2000

/** A failed connect, as short as a table cell: `HTTP 403`, `ECONNREFUSED`, `timeout`. */
export function connectFailureReason(error: Error & {code?: string}): string {
  const status = /Unexpected server response: (\d+)/.exec(error.message)
  if (status) return `HTTP ${status[1]}`
  if (/handshake has timed out/i.test(error.message)) return 'timeout'
  return error.code ?? error.message
}

export class BenchClients {
  readonly all: BenchClient[]
  /** Indexes of the clients whose connection is open now. */
  readonly open = new Set<number>()
  failed = 0

  constructor(
    count: number,
    private readonly WebSocketClass: typeof WebSocket,
    private readonly options: BenchClientsOptions,
  ) {
    this.all = Array.from({length: count}, (_, index) => ({closing: false, index}))
  }

  /** Closes every socket with 1000; those that do not finish the closing handshake in time are cut. */
  async closeAll(): Promise<void> {
    const closing: Array<Promise<void>> = []
    for (const client of this.all) {
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
    await Promise.race([
      Promise.all(closing),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS))),
    ])
    clearTimeout(timer)
    for (const client of this.all)
      if (client.socket && client.socket.readyState !== client.socket.CLOSED) client.socket.terminate()
  }

  /** Opens client `index`; resolves once it is open or has failed (never rejects). */
  connect(index: number): Promise<void> {
    const client = this.all[index]
    const {options} = this
    return new Promise<void>((resolve) => {
      const began = performance.now()
      const socket = new this.WebSocketClass(options.url, options.subprotocols ?? [], {
        handshakeTimeout: options.timeoutMs,
        headers: options.headers,
        maxPayload: CLIENT_MAX_PAYLOAD_BYTES,
        perMessageDeflate: false,
      })
      client.socket = socket
      socket.on('open', () => {
        client.connectMs = performance.now() - began
        this.open.add(client.index)
        resolve()
      })
      socket.on('message', (data, isBinary) => options.onMessage(client, data, isBinary))
      socket.on('error', (error: Error & {code?: string}) => {
        if (client.connectMs !== undefined || client.failure) return
        this.fail(client, options.hideToken(connectFailureReason(error)))
        resolve()
      })
      socket.on('close', (code) => {
        this.open.delete(client.index)
        if (client.connectMs === undefined) {
          if (!client.failure) this.fail(client, `closed ${code}`)
          resolve()
        } else if (!client.closing) client.dropCode = code
      })
    })
  }

  /** Failed connects by reason (clients that never got to try count as `closed`). */
  failures(): Record<string, number> {
    return countBy(this.all, (client) => client.failure ?? 'closed')
  }

  report(): ConnectionReport {
    const connected = this.all.filter((client) => client.connectMs !== undefined)
    const failed = this.all.filter((client) => client.failure !== undefined)
    return {
      connect: summarize(connected.map((client) => client.connectMs as number)),
      dropped: countBy(
        connected.filter((client) => client.dropCode !== undefined),
        (client) => String(client.dropCode),
      ),
      failed: failed.length,
      failures: countBy(failed, (client) => client.failure as string),
      open: connected.length,
      requested: this.all.length,
    }
  }

  private fail(client: BenchClient, reason: string): void {
    client.failure = reason
    this.failed++
  }
}
