import {performance} from 'node:perf_hooks'

import type {WebSocket} from 'ws'

import {WsapiError} from '../errors.js'
import {
  type ConnectError,
  type ConnectOptions,
  openWebSocket,
  type OpenedSocket,
  protocolErrorOf,
  type ProtocolError,
} from './dial.js'
import {FRAME_PAYLOAD_BYTES, splitUtf8} from './frames.js'

export interface BackoffOptions {
  initialMs: number
  maxMs: number
}

export interface KeepaliveOptions {
  intervalMs: number
  /** The app-level frame to send after `intervalMs` without a data message either way. */
  text: string
}

export interface SessionOptions extends ConnectOptions {
  keepalive?: KeepaliveOptions
  /** Reconnect after the connection drops, with exponential backoff; undefined: end the session instead. */
  reconnect?: BackoffOptions
}

export interface OpenInfo {
  /** 1 for the first connection, 2 after the first reconnect, … */
  connection: number
  extensions: string
  /** Milliseconds from the start of the attempt to the server's 101 response. */
  ms: number
  /** The subprotocol the server picked ('' for none). */
  protocol: string
  url: string
}

export interface EndInfo {
  /** True when the user asked to close (/close, /quit, Ctrl-C, end of a script). */
  byUser: boolean
  code: number
  /** Why a reconnect gave up. */
  error?: ConnectError
  /** Set when this side closed the connection because the server broke the protocol (a message too big, a compressed frame). */
  protocolError?: ProtocolError
  reason: string
  /** The user stopped while a reconnect was pending: no connection was open to close. */
  whileReconnecting?: boolean
}

export type SessionEvent =
  | ({type: 'end'} & EndInfo)
  | ({type: 'open'} & OpenInfo)
  | {attempt: number; code?: number; delayMs: number; error?: ConnectError; reason?: string; type: 'retry'}
  | {binary: boolean; data: Buffer; type: 'message'}
  | {text: string; type: 'keepalive'}

export interface SendResult {
  bytes: number
  /** Frames used: a message over API Gateway's frame limit is split (RFC 6455 fragmentation). */
  frames: number
  /** Held until the connection is back (while reconnecting). */
  queued: boolean
}

/** Delay before reconnect attempt `attempt` (1, 2, …): doubling from initialMs up to maxMs, ±20% jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** (attempt - 1))
  return Math.round(Math.min(options.maxMs, base * (0.8 + 0.4 * random())))
}

const CLOSE_TIMEOUT_MS = 2000

/**
 * One chat session: a WebSocket that can come back (`reconnect`), keeps itself alive (`keepalive`),
 * splits big messages into API Gateway-sized frames, and reports everything as SessionEvents.
 */
export class Session {
  /** Settles when the session is over for good (no reconnect left). */
  readonly ended: Promise<EndInfo>
  private attempt = 0
  private closeTimer?: NodeJS.Timeout
  private closing?: {code: number; reason: string}
  private connections = 0
  private endResolve!: (info: EndInfo) => void
  private finished = false
  private keepaliveTimer?: NodeJS.Timeout
  private lastActivity = 0
  private readonly queue: string[] = []
  private retryTimer?: NodeJS.Timeout
  private socket?: WebSocket

  constructor(
    private readonly options: SessionOptions,
    private readonly onEvent: (event: SessionEvent) => void,
  ) {
    this.ended = new Promise((resolve) => (this.endResolve = resolve))
  }

  get connected(): boolean {
    return this.socket?.readyState === 1
  }

  /** Closes (or stops reconnecting) and settles `ended` with byUser set. */
  close(code = 1000, reason = ''): Promise<EndInfo> {
    if (this.finished) return this.ended
    this.closing ??= {code, reason}
    clearTimeout(this.retryTimer)
    if (this.socket) {
      this.socket.close(code, reason)
      // A server that never answers the close frame must not hold the CLI open.
      this.closeTimer = setTimeout(() => this.socket?.terminate(), CLOSE_TIMEOUT_MS)
    } else {
      this.finish({byUser: true, code, reason, whileReconnecting: this.connections > 0})
    }

    return this.ended
  }

  /** Sends a WebSocket ping; resolves with the round trip in ms. */
  ping(data = ''): Promise<number> {
    const socket = this.socket
    if (!socket || !this.connected)
      return Promise.reject(new WsapiError('Not connected: the ping was not sent.', {code: 'NOT_CONNECTED'}))
    return new Promise((resolve, reject) => {
      const started = performance.now()
      const timer = setTimeout(() => {
        socket.off('pong', onPong)
        reject(new WsapiError('No pong within 5 s.', {code: 'PING_TIMEOUT'}))
      }, 5000)
      const onPong = () => {
        clearTimeout(timer)
        resolve(performance.now() - started)
      }

      socket.once('pong', onPong)
      socket.ping(data)
    })
  }

  /** Sends a text message now, or when the connection is back; splits it into frames of at most 32 KB. */
  send(text: string): SendResult {
    const bytes = Buffer.byteLength(text)
    const frames = Math.max(1, splitUtf8(Buffer.from(text), FRAME_PAYLOAD_BYTES).length)
    if (!this.socket || !this.connected) {
      this.queue.push(text)
      return {bytes, frames, queued: true}
    }

    this.transmit(this.socket, text)
    return {bytes, frames, queued: false}
  }

  /** Opens the first connection; rejects with a ConnectError (the session has then ended). */
  async start(): Promise<OpenInfo> {
    try {
      const opened = await openWebSocket(this.options)
      if (this.finished) {
        opened.socket.terminate()
        throw new WsapiError('The session was closed while connecting.', {code: 'CLOSED'})
      }

      return this.adopt(opened)
    } catch (error) {
      if (this.finished) throw error
      this.finished = true
      this.endResolve({byUser: false, code: 1006, error: error as ConnectError, reason: ''})
      throw error
    }
  }

  private adopt({ms, socket, takeEarlyEvents}: OpenedSocket): OpenInfo {
    this.socket = socket
    this.connections++
    this.attempt = 0
    const onMessage = (data: Buffer, binary: boolean) => {
      this.touch()
      this.onEvent({binary, data, type: 'message'})
    }

    socket.on('error', () => {
      // 'close' follows; a protocol error (ws closes with 1002, 1007, 1009 itself) was recorded when it came, and the end says why.
    })
    const info: OpenInfo = {
      connection: this.connections,
      extensions: socket.extensions,
      ms,
      protocol: socket.protocol,
      url: this.options.url,
    }
    this.onEvent({...info, type: 'open'})
    this.touch()
    for (const text of this.queue.splice(0)) this.transmit(socket, text)
    socket.on('message', onMessage)
    socket.once('close', (code: number, reason: Buffer) => this.dropped(socket, code, reason.toString()))
    for (const event of takeEarlyEvents()) {
      if (event.type === 'message') onMessage(event.data, event.binary)
      else this.dropped(socket, event.code, event.reason.toString())
    }

    return info
  }

  private dropped(socket: WebSocket, code: number, reason: string): void {
    if (this.socket !== socket) return
    this.socket = undefined
    clearTimeout(this.keepaliveTimer)
    clearTimeout(this.closeTimer)
    const protocolError = protocolErrorOf(socket)
    if (this.closing) this.finish({byUser: true, code, reason})
    else if (this.options.reconnect)
      this.retry({
        code: protocolError?.code ?? code,
        reason: protocolError ? `closed by wsapi connect: ${protocolError.text}` : reason,
      })
    else this.finish({byUser: false, code, protocolError, reason})
  }

  private finish(info: EndInfo): void {
    if (this.finished) return
    this.finished = true
    clearTimeout(this.keepaliveTimer)
    clearTimeout(this.retryTimer)
    clearTimeout(this.closeTimer)
    this.onEvent({...info, type: 'end'})
    this.endResolve(info)
  }

  private keepalive(): void {
    const {keepalive} = this.options
    if (!keepalive) return
    clearTimeout(this.keepaliveTimer)
    const due = this.lastActivity + keepalive.intervalMs - performance.now()
    this.keepaliveTimer = setTimeout(
      () => {
        if (!this.socket || !this.connected) return
        if (performance.now() - this.lastActivity >= keepalive.intervalMs - 5) {
          this.transmit(this.socket, keepalive.text)
          this.onEvent({text: keepalive.text, type: 'keepalive'})
        }

        this.keepalive()
      },
      Math.max(0, due),
    )
  }

  private retry(after: {code?: number; error?: ConnectError; reason?: string}): void {
    const backoff = this.options.reconnect!
    this.attempt++
    const delayMs = backoffDelay(this.attempt, backoff)
    this.onEvent({...after, attempt: this.attempt, delayMs, type: 'retry'})
    this.retryTimer = setTimeout(async () => {
      try {
        const opened = await openWebSocket(this.options)
        if (this.closing || this.finished) {
          opened.socket.terminate()
          return
        }

        this.adopt(opened)
      } catch (error) {
        if (this.closing || this.finished) return
        const failure = error as ConnectError
        if (failure.retryable) this.retry({error: failure})
        else this.finish({byUser: false, code: 1006, error: failure, reason: ''})
      }
    }, delayMs)
  }

  private touch(): void {
    this.lastActivity = performance.now()
    this.keepalive()
  }

  private transmit(socket: WebSocket, text: string): void {
    const pieces = splitUtf8(Buffer.from(text), FRAME_PAYLOAD_BYTES)
    if (pieces.length === 1) socket.send(text)
    // Continuation frames: ws sends the first with the text opcode and the rest as continuations.
    else
      for (const [index, piece] of pieces.entries())
        socket.send(piece, {binary: false, fin: index === pieces.length - 1})
    this.touch()
  }
}
