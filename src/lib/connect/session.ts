import type {ClientRequest, IncomingMessage} from 'node:http'
import {createRequire} from 'node:module'
import {performance} from 'node:perf_hooks'

import type {WebSocket} from 'ws'

import {API_GATEWAY_LIMITS} from '../apigw/limits.js'
import {CLIENT_MAX_PAYLOAD_BYTES} from '../client/limits.js'
import {displayUrl} from '../client/url.js'
import {WsapiError} from '../errors.js'

/** How to reach the server: what `-H`, `-s`, `--origin`, `-k` and `--token` (already in the URL) set. */
export interface ConnectOptions {
  handshakeTimeoutMs?: number
  headers?: Record<string, string>
  insecure?: boolean
  origin?: string
  /** Explanations of handshake statuses that know more than the generic ones (e.g. a stage mismatch). */
  statusHints?: Partial<Record<number, string>>
  subprotocols?: string[]
  url: string
}

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

/** What the server did that made the client close the connection, and the close code the client sent. */
export interface ProtocolError {
  code: number
  text: string
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

/** A failed connection attempt: refused, DNS, TLS, timeout, or a handshake answered with an HTTP status. */
export class ConnectError extends WsapiError {
  /** The HTTP status when the server answered the handshake with one (401, 403, 502, …). */
  readonly status?: number

  constructor(message: string, options: {cause?: unknown; code: string; status?: number}) {
    super(message, {cause: options.cause, code: options.code})
    this.name = 'ConnectError'
    this.status = options.status
  }

  /** A 4xx answer will not change by retrying (a bad token stays bad); anything else may. */
  get retryable(): boolean {
    return this.status === undefined || this.status >= 500
  }
}

/** Delay before reconnect attempt `attempt` (1, 2, …): doubling from initialMs up to maxMs, ±20% jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** (attempt - 1))
  return Math.round(Math.min(options.maxMs, base * (0.8 + 0.4 * random())))
}

/** Frame payload bytes that keep a whole client frame (≤ 14 header bytes) within API Gateway's frame limit. */
export const FRAME_PAYLOAD_BYTES = API_GATEWAY_LIMITS.maxFrameBytes - 14

/** Cuts UTF-8 bytes into pieces of at most `maxBytes`, never inside a character. */
export function splitUtf8(bytes: Buffer, maxBytes: number): Buffer[] {
  const pieces: Buffer[] = []
  let start = 0
  while (bytes.length - start > maxBytes) {
    let end = start + maxBytes
    // Back up over continuation bytes (10xxxxxx) to the start of a character.
    while (end > start && (bytes[end] & 0xc0) === 0x80) end--
    pieces.push(bytes.subarray(start, end))
    start = end
  }

  pieces.push(bytes.subarray(start))
  return pieces
}

const STATUS_HINTS: Record<number, string> = {
  401: 'the $connect authorizer rejected the request: check --token or the -H headers',
  403: 'the $connect authorizer denied the request (or the URL names no deployed stage): check --token, the headers and the stage',
  404: 'no WebSocket API at this path: the URL must end with the stage, e.g. /v1',
  429: 'too many new connections: wait and retry',
  500: 'the server failed during the handshake',
  502: 'the $connect handler threw or returned a malformed response: see its logs',
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
])

function describeFailure(error: NodeJS.ErrnoException, url: URL, options: ConnectOptions): {code: string; text: string} {
  const where = `${url.hostname}:${url.port || (url.protocol === 'wss:' ? 443 : 80)}`
  if (error.code === 'ECONNREFUSED') return {code: 'CONNECTION_REFUSED', text: `connection refused: nothing listens on ${where}`}
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return {code: 'DNS', text: `host ${url.hostname} not found (DNS)`}
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return {code: 'CONNECTION_RESET', text: `${where} reset the connection during the handshake`}
  if (error.code === 'ETIMEDOUT' || /handshake has timed out/i.test(error.message)) {
    return {code: 'HANDSHAKE_TIMEOUT', text: `no handshake answer from ${where} within ${Math.round((options.handshakeTimeoutMs ?? 0) / 1000)} s`}
  }

  if ((error.code && TLS_CODES.has(error.code)) || /certificate/i.test(error.message)) {
    return {code: 'TLS', text: `TLS: ${error.message} (-k/--insecure skips certificate checks, for test servers only)`}
  }

  if (error.code?.startsWith('ERR_SSL') || error.code === 'EPROTO') return {code: 'TLS', text: `TLS: ${error.message} (does the server speak TLS? use ws:// for a plain server)`}
  if (/subprotocol/i.test(error.message)) {
    return {
      code: 'SUBPROTOCOL',
      text: `${error.message.replace(/\.$/, '')}: asked for ${maskedProtocols(options.subprotocols).join(', ')} (behind API Gateway, the $connect handler must return the Sec-WebSocket-Protocol header)`,
    }
  }

  return {code: error.code ?? 'CONNECT_FAILED', text: error.message}
}

/** Reads at most 512 bytes of a refused handshake's body, within 1 s, for the error message. */
function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = ''
    const done = () => {
      clearTimeout(timer)
      response.removeAllListeners('data')
      resolve(body.replaceAll(/\s+/g, ' ').trim().slice(0, 512))
    }

    const timer = setTimeout(done, 1000)
    response.setEncoding('utf8')
    response.on('data', (chunk: string) => {
      body += chunk
      if (body.length >= 512) done()
    })
    response.once('end', done)
    response.once('error', done)
  })
}

/** What a socket did between its 'open' and the moment its owner listens: ws delivers frames that came with the 101 at once. */
type EarlyEvent = {binary: boolean; data: Buffer; type: 'message'} | {code: number; reason: Buffer; type: 'close'}

export interface OpenedSocket {
  ms: number
  socket: WebSocket
  /** Stops buffering and returns what arrived since 'open'; listen on the socket before calling it. */
  takeEarlyEvents(): EarlyEvent[]
}

/** Opens one WebSocket; rejects with a ConnectError that says what went wrong and what to do. */
export async function openWebSocket(options: ConnectOptions): Promise<OpenedSocket> {
  // require, not import(): ws is CommonJS, and going through its ESM wrapper costs start-up time.
  const WebSocketClass = createRequire(import.meta.url)('ws') as typeof WebSocket
  const url = new URL(options.url)
  const started = performance.now()
  const socket = new WebSocketClass(options.url, options.subprotocols ?? [], {
    followRedirects: false,
    handshakeTimeout: options.handshakeTimeoutMs,
    headers: options.headers,
    maxPayload: CLIENT_MAX_PAYLOAD_BYTES,
    origin: options.origin,
    // API Gateway never negotiates permessage-deflate; asking for it would let any server inflate a small frame into a huge message.
    perMessageDeflate: false,
    rejectUnauthorized: !options.insecure,
  })
  // OpenSSL's messages end with a line break: the error must stay on one line.
  const failure = (text: string, code: string, extra: {cause?: unknown; status?: number} = {}) =>
    new ConnectError(`Could not connect to ${displayUrl(options.url)}: ${text.replaceAll(/\s*\n\s*/g, ' ').trim()}`, {...extra, code})

  return new Promise((resolve, reject) => {
    let settled = false
    const settle = (error?: ConnectError) => {
      if (settled) return
      settled = true
      socket.removeAllListeners('open')
      socket.removeAllListeners('unexpected-response')
      if (error) {
        reject(error)
      } else {
        resolve({ms: performance.now() - started, socket, takeEarlyEvents})
      }
    }

    const early: EarlyEvent[] = []
    const onMessage = (data: Buffer, binary: boolean) => early.push({binary, data, type: 'message'})
    const onClose = (code: number, reason: Buffer) => early.push({code, reason, type: 'close'})
    const takeEarlyEvents = () => {
      socket.off('message', onMessage)
      socket.off('close', onClose)
      return early
    }

    socket.on('message', onMessage)
    socket.on('close', onClose)
    socket.once('open', () => settle())
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) {
        const protocolError = describeProtocolError(error)
        if (protocolError) protocolErrors.set(socket, protocolError)
        return
      }

      const {code, text} = describeFailure(error, url, options)
      settle(failure(text, code, {cause: error}))
    })
    socket.once('unexpected-response', async (request: ClientRequest, response: IncomingMessage) => {
      const status = response.statusCode ?? 0
      const body = await readBody(response)
      request.destroy()
      const answer = `${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`
      // wsapi dev refuses pages it does not know (README "Security"); -o makes connect look like one.
      const originHint = status === 403 && options.origin ? `${STATUS_HINTS[403]}; wsapi dev also refuses an Origin that is not on this machine unless started with --allow-origin <origin>` : undefined
      const hint = options.statusHints?.[status] ?? originHint ?? STATUS_HINTS[status]
      settle(failure(`the server answered the handshake with HTTP ${answer}${body ? ` ${body}` : ''}${hint ? ` (${hint})` : ''}`, 'HANDSHAKE_REJECTED', {status}))
    })
  })
}

const CLOSE_TIMEOUT_MS = 2000

/**
 * What a server did that made ws close the connection, with the code ws sent (kept under a symbol of
 * its own); undefined for other errors (a reset socket), which end as 1006.
 */
function describeProtocolError(error: Error & {code?: string}): ProtocolError | undefined {
  const key = Object.getOwnPropertySymbols(error).find((symbol) => symbol.description === 'status-code')
  const code: unknown = key === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[key]
  if (typeof code !== 'number') return undefined
  if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    return {code, text: `the server sent a message over ${CLIENT_MAX_PAYLOAD_BYTES / 1024 / 1024} MiB, the most wsapi connect accepts (API Gateway sends at most ${API_GATEWAY_LIMITS.maxMessageBytes / 1024} KB)`}
  }

  if (error.code === 'WS_ERR_UNEXPECTED_RSV_1') return {code, text: 'the server sent a compressed frame, but no compression was negotiated'}
  return {code, text: `the server broke the WebSocket protocol (${error.message})`}
}

/** Protocol errors of open sockets; recorded from the start, since frames that came with the 101 are read before the session listens. */
/** The subprotocols for the screen: a token sent after `bearer` (a jwt project's --token) shows as ***. */
function maskedProtocols(protocols: string[] = []): string[] {
  return protocols.map((protocol, index) => (index > 0 && protocols[index - 1] === 'bearer' ? '***' : protocol))
}

const protocolErrors = new WeakMap<WebSocket, ProtocolError>()

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
    if (!socket || !this.connected) return Promise.reject(new WsapiError('Not connected: the ping was not sent.', {code: 'NOT_CONNECTED'}))
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
    const info: OpenInfo = {connection: this.connections, extensions: socket.extensions, ms, protocol: socket.protocol, url: this.options.url}
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
    const protocolError = protocolErrors.get(socket)
    if (this.closing) this.finish({byUser: true, code, reason})
    else if (this.options.reconnect) this.retry({code: protocolError?.code ?? code, reason: protocolError ? `closed by wsapi connect: ${protocolError.text}` : reason})
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
    else for (const [index, piece] of pieces.entries()) socket.send(piece, {binary: false, fin: index === pieces.length - 1})
    this.touch()
  }
}
