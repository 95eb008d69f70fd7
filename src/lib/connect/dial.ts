import type {ClientRequest, IncomingMessage} from 'node:http'
import {createRequire} from 'node:module'
import {performance} from 'node:perf_hooks'

import type {WebSocket} from 'ws'

import {WsapiError} from '../errors.js'
import {API_GATEWAY_LIMITS} from '../apigw/limits.js'
import {CLIENT_MAX_PAYLOAD_BYTES} from '../client/limits.js'
import {displayUrl} from '../client/url.js'

/**
 * Dialling one WebSocket for `wsapi connect`: the handshake, and failures described in words that say
 * what to do (refused, DNS, TLS, a status answered by an authorizer, a server that broke the protocol).
 */

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

/** What the server did that made the client close the connection, and the close code the client sent. */
export interface ProtocolError {
  code: number
  text: string
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

/** Where connect and bench take a token from; `wsapi token` makes one for a jwt project (README "wsapi token"). */
const TOKEN_SOURCES = '--token, WSAPI_TOKEN or --token-stdin; `wsapi token` makes one in a jwt project'

const STATUS_HINTS: Record<number, string> = {
  401: `the $connect authorizer rejected the request: check the token (${TOKEN_SOURCES}) or the -H headers`,
  403: `the $connect authorizer denied the request (or the URL names no deployed stage): check the token (${TOKEN_SOURCES}), the headers and the stage`,
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

function describeFailure(
  error: NodeJS.ErrnoException,
  url: URL,
  options: ConnectOptions,
): {code: string; text: string} {
  const where = `${url.hostname}:${url.port || (url.protocol === 'wss:' ? 443 : 80)}`
  if (error.code === 'ECONNREFUSED')
    return {code: 'CONNECTION_REFUSED', text: `connection refused: nothing listens on ${where}`}
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
    return {code: 'DNS', text: `host ${url.hostname} not found (DNS)`}
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE')
    return {code: 'CONNECTION_RESET', text: `${where} reset the connection during the handshake`}
  if (error.code === 'ETIMEDOUT' || /handshake has timed out/i.test(error.message)) {
    return {
      code: 'HANDSHAKE_TIMEOUT',
      text: `no handshake answer from ${where} within ${Math.round((options.handshakeTimeoutMs ?? 0) / 1000)} s`,
    }
  }

  if ((error.code && TLS_CODES.has(error.code)) || /certificate/i.test(error.message)) {
    return {code: 'TLS', text: `TLS: ${error.message} (-k/--insecure skips certificate checks, for test servers only)`}
  }

  if (error.code?.startsWith('ERR_SSL') || error.code === 'EPROTO')
    return {code: 'TLS', text: `TLS: ${error.message} (does the server speak TLS? use ws:// for a plain server)`}
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
    new ConnectError(`Could not connect to ${displayUrl(options.url)}: ${text.replaceAll(/\s*\n\s*/g, ' ').trim()}`, {
      ...extra,
      code,
    })

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
      const originHint =
        status === 403 && options.origin
          ? `${STATUS_HINTS[403]}; wsapi dev also refuses an Origin that is not on this machine unless started with --allow-origin <origin>`
          : undefined
      const hint = options.statusHints?.[status] ?? originHint ?? STATUS_HINTS[status]
      settle(
        failure(
          `the server answered the handshake with HTTP ${answer}${body ? ` ${body}` : ''}${hint ? ` (${hint})` : ''}`,
          'HANDSHAKE_REJECTED',
          {status},
        ),
      )
    })
  })
}

/**
 * What a server did that made ws close the connection, with the code ws sent (kept under a symbol of
 * its own); undefined for other errors (a reset socket), which end as 1006.
 */
function describeProtocolError(error: Error & {code?: string}): ProtocolError | undefined {
  const key = Object.getOwnPropertySymbols(error).find((symbol) => symbol.description === 'status-code')
  const code: unknown = key === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[key]
  if (typeof code !== 'number') return undefined
  if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    return {
      code,
      text: `the server sent a message over ${CLIENT_MAX_PAYLOAD_BYTES / 1024 / 1024} MiB, the most wsapi connect accepts (API Gateway sends at most ${API_GATEWAY_LIMITS.maxMessageBytes / 1024} KB)`,
    }
  }

  if (error.code === 'WS_ERR_UNEXPECTED_RSV_1')
    return {code, text: 'the server sent a compressed frame, but no compression was negotiated'}
  return {code, text: `the server broke the WebSocket protocol (${error.message})`}
}

/** The subprotocols for the screen: a token sent after `bearer` (a jwt project's --token) shows as ***. */
function maskedProtocols(protocols: string[] = []): string[] {
  return protocols.map((protocol, index) => (index > 0 && protocols[index - 1] === 'bearer' ? '***' : protocol))
}

/** Protocol errors of open sockets; recorded from the start, since frames that came with the 101 are read before the session listens. */
const protocolErrors = new WeakMap<WebSocket, ProtocolError>()

/** Why this side closed `socket` because the server broke the protocol, if it did. */
export function protocolErrorOf(socket: WebSocket): ProtocolError | undefined {
  return protocolErrors.get(socket)
}
