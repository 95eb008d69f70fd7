import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {createServer as createHttpsServer} from 'node:https'
import type {IncomingMessage} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {type ServerOptions, WebSocket, WebSocketServer} from 'ws'

import {REPO_ROOT} from './cli.js'

/**
 * WebSocket servers for the connect tests, all on 127.0.0.1 port 0. Each records the handshakes
 * (headers, URL) and the frames it receives, so tests check what the client really sent.
 */

export interface TestServer {
  close(): Promise<void>
  /** Text of every message received, in order (all connections). */
  messages: string[]
  /** Every handshake request (headers, url). */
  requests: IncomingMessage[]
  /** Resolves with the next message received (or one already received at `index`). */
  nextMessage(index?: number): Promise<string>
  port: number
  sockets: Set<WebSocket>
  url: string
  wss: WebSocketServer
}

export interface StartOptions extends Omit<ServerOptions, 'host' | 'server'> {
  /** Serve wss:// with the self-signed certificate in test/fixtures/tls (for -k). */
  tls?: boolean
}

const TLS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'tls')

/** A ws server; `onConnection` adds behaviour (echo, broadcast, close…). */
export async function startServer(
  options: StartOptions = {},
  onConnection?: (socket: WebSocket, request: IncomingMessage, server: TestServer) => void,
): Promise<TestServer> {
  const {tls, ...serverOptions} = options
  const https = tls
    ? createHttpsServer({cert: readFileSync(join(TLS_DIR, 'cert.pem')), key: readFileSync(join(TLS_DIR, 'key.pem'))})
    : undefined
  const {port: wanted = 0, ...rest} = serverOptions
  const wss = https
    ? new WebSocketServer({...rest, server: https})
    : new WebSocketServer({...rest, host: '127.0.0.1', port: wanted})
  await new Promise<void>((resolve) =>
    https ? https.listen(wanted, '127.0.0.1', resolve) : wss.once('listening', resolve),
  )
  const {port} = (https ?? wss).address() as AddressInfo
  const waiters: Array<() => void> = []
  const server: TestServer = {
    async close() {
      for (const socket of server.sockets) socket.terminate()
      await new Promise((resolve) => wss.close(resolve))
      if (https) await new Promise((resolve) => https.close(resolve))
    },
    messages: [],
    nextMessage(index = server.messages.length) {
      return new Promise((resolve) => {
        const check = () => {
          if (server.messages.length > index) resolve(server.messages[index])
          else waiters.push(check)
        }

        check()
      })
    },
    port,
    requests: [],
    sockets: new Set(),
    url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/v1`,
    wss,
  }
  wss.on('connection', (socket, request) => {
    server.sockets.add(socket)
    server.requests.push(request)
    // Protocol errors (a message over maxPayload) close the socket with their code; nothing to throw.
    socket.on('error', () => {})
    socket.on('close', () => server.sockets.delete(socket))
    socket.on('message', (data) => {
      server.messages.push(data.toString())
      for (const waiter of waiters.splice(0)) waiter()
    })
    onConnection?.(socket, request, server)
  })
  return server
}

/** Sends every message back to every client (sender included), as a broadcast chat does. */
export function startBroadcastServer(options: StartOptions = {}): Promise<TestServer> {
  return startServer(options, (socket, _request, server) => {
    socket.on('message', (data, binary) => {
      for (const client of server.sockets) client.send(data, {binary})
    })
  })
}

/** Refuses every handshake with this HTTP status (as an authorizer's 401/403 does) and body; `port` 0 picks one. */
export function startRejectingServer(status: number, body: string, port = 0): Promise<TestServer> {
  return startServer({port, verifyClient: (_info, callback) => callback(false, status, body)})
}

/** The exact error frames of API Gateway (docs/api-gateway-behaviour.md §2.3: a space after "message":, none elsewhere). */
export function apiGatewayErrorFrame(message: string): string {
  const id = () => randomBytes(10).toString('base64').slice(0, 15) + '='
  return `{"message": "${message}", "connectionId":"${id()}", "requestId":"${id()}"}`
}

export interface FakeChatOptions {
  /** The scaffold's `--auth token`: `?token=` must equal this (none: 401, wrong: 403). */
  authToken?: string
  /** The scaffold's `--no-default-route`: unroutable messages get API Gateway's Forbidden frame. */
  defaultRoute?: boolean
}

const EXAMPLE = '{"message":"sendmessage","data":"hello"}'

/**
 * A stand-in for a generated project (`wsapi init --yes`) behind API Gateway, on the wire: route by
 * `message`; `sendmessage` broadcasts JSON.stringify(data) to every connection; anything else goes to
 * the two-way $default, which answers {"error": …, "routes": [...]} (or Forbidden without $default).
 * API Gateway's limits: binary frames close with 1003, messages over 128 KB with 1009. Two extra routes
 * produce the error frames a failing integration causes: `boom` (Internal server error) and `slow`
 * (Endpoint request timed out).
 */
export function startFakeChat(options: FakeChatOptions = {}): Promise<TestServer> {
  const serverOptions: StartOptions = {maxPayload: 128 * 1024}
  if (options.authToken !== undefined) {
    serverOptions.verifyClient = (info, callback) => {
      const token = new URL(info.req.url ?? '/', 'http://x').searchParams.get('token')
      if (token === null) callback(false, 401, '{"message":"Unauthorized"}')
      else callback(token === options.authToken, 403, '{"message":"Forbidden"}')
    }
  }

  return startServer(serverOptions, (socket, _request, server) => {
    socket.on('message', (data, binary) => {
      if (binary) {
        socket.close(1003, 'Binary frames are not supported')
        return
      }

      let body: unknown
      try {
        body = JSON.parse(data.toString())
      } catch {}

      const route =
        body && typeof body === 'object' && 'message' in body ? String((body as {message: unknown}).message) : undefined
      if (route === 'sendmessage') {
        if (!Object.hasOwn(body as object, 'data'))
          socket.send(JSON.stringify({error: `Message has no "data" field. Send ${EXAMPLE}`}))
        else for (const client of server.sockets) client.send(JSON.stringify((body as {data: unknown}).data))
      } else if (route === 'boom') {
        socket.send(apiGatewayErrorFrame('Internal server error'))
      } else if (route === 'slow') {
        socket.send(apiGatewayErrorFrame('Endpoint request timed out'))
      } else if (options.defaultRoute === false) {
        socket.send(apiGatewayErrorFrame('Forbidden'))
      } else {
        socket.send(JSON.stringify({error: `No route matches this message. Send ${EXAMPLE}`, routes: ['sendmessage']}))
      }
    })
  })
}

/** A plain client (the "second person" in a chat). */
export async function testClient(
  url: string,
): Promise<{close(): void; messages: string[]; next(): Promise<string>; send(text: string): void; socket: WebSocket}> {
  const socket = new WebSocket(url)
  const messages: string[] = []
  const waiters: Array<(text: string) => void> = []
  socket.on('message', (data) => {
    const text = data.toString()
    const waiter = waiters.shift()
    if (waiter) waiter(text)
    else messages.push(text)
  })
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  return {
    close: () => socket.terminate(),
    messages,
    next: () =>
      messages.length > 0 ? Promise.resolve(messages.shift()!) : new Promise((resolve) => waiters.push(resolve)),
    send: (text) => socket.send(text),
    socket,
  }
}

export interface FrameRecord {
  fin: boolean
  opcode: number
  payloadBytes: number
}

/**
 * Frames as they arrive on the wire (header fields only), for checks on fragmentation. Reads the raw
 * TCP bytes beside ws; the server must not negotiate permessage-deflate for the sizes to be the data's.
 */
export function recordFrames(socket: WebSocket): FrameRecord[] {
  const frames: FrameRecord[] = []
  let pending = Buffer.alloc(0)
  const raw = (socket as unknown as {_socket: NodeJS.ReadableStream})._socket
  raw.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    for (;;) {
      if (pending.length < 2) return
      const fin = (pending[0] & 0x80) !== 0
      const opcode = pending[0] & 0x0f
      const masked = (pending[1] & 0x80) !== 0
      let length = pending[1] & 0x7f
      let offset = 2
      if (length === 126) {
        if (pending.length < 4) return
        length = pending.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (pending.length < 10) return
        length = Number(pending.readBigUInt64BE(2))
        offset = 10
      }

      offset += masked ? 4 : 0
      if (pending.length < offset + length) return
      frames.push({fin, opcode, payloadBytes: length})
      pending = pending.subarray(offset + length)
    }
  })
  return frames
}
