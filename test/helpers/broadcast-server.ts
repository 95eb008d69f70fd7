import type {AddressInfo} from 'node:net'
import {performance} from 'node:perf_hooks'

import {WebSocket, WebSocketServer} from 'ws'

import {apiGatewayErrorFrame} from './ws-servers.js'

export interface BroadcastServerOptions {
  /** Answer every message with this API Gateway error frame instead of broadcasting. */
  errorFrame?: string
  /** Skip the sender, as some APIs do. */
  excludeSender?: boolean
  /** Drop every n-th delivery (counting across the run). */
  dropEvery?: number
  /** Send every n-th delivery twice. */
  duplicateEvery?: number
  /** When the first broadcast arrives, close the n-th connection (0-based) with this code before delivering. */
  closeConnection?: {code: number; index: number}
  /** Refuse every n-th handshake with this HTTP status. */
  reject?: {every: number; status: number}
  /**
   * Speak the rooms protocol of a project made with `--rooms`: `{"<routeField>":"join","room":…}` adds the
   * connection to the room and answers `{"joined":…}` (`answerJoins: false`: never answers); a message with a
   * `room` goes to that room's members only, and one to a room the sender is not in gets an error reply.
   */
  rooms?: {answerJoins?: boolean}
  /** The route key and the field that selects it; other messages get a Forbidden frame, as on API Gateway. */
  route?: string
  routeField?: string
}

export interface BroadcastServer {
  close(): Promise<void>
  /** Deliveries deliberately dropped or duplicated, and handshakes refused. */
  readonly counts: {dropped: number; duplicated: number; rejected: number}
  /** Every text message received, as sent. */
  readonly received: string[]
  /** With `rooms`: the members of each room, as connection numbers (in the order they connected). */
  readonly rooms: Map<string, Set<number>>
  /** Each accepted handshake: when it arrived (performance.now()), its path and query, and its headers. */
  readonly handshakes: Array<{at: number; headers: Record<string, string | string[] | undefined>; url: string}>
  url: string
}

export {apiGatewayErrorFrame}

/**
 * A plain `ws` server on 127.0.0.1 (port 0) that behaves like the generated `sendmessage` handler:
 * a message `{"<routeField>":"<route>","data":…}` sends JSON.stringify(data) to every connection, the
 * sender included. Options make it lose, duplicate, refuse or answer with error frames, so that tests
 * can prove the benchmark's accounting against counts the server keeps itself.
 */
export async function startBroadcastServer(options: BroadcastServerOptions = {}): Promise<BroadcastServer> {
  const route = options.route ?? 'sendmessage'
  const routeField = options.routeField ?? 'message'
  const counts = {dropped: 0, duplicated: 0, rejected: 0}
  const received: string[] = []
  const handshakes: BroadcastServer['handshakes'] = []
  const connections: WebSocket[] = []
  const rooms = new Map<string, Set<number>>()
  let attempts = 0
  let deliveries = 0
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient(info, callback) {
      attempts++
      if (options.reject && attempts % options.reject.every === 0) {
        counts.rejected++
        callback(false, options.reject.status)
      } else {
        handshakes.push({at: performance.now(), headers: info.req.headers, url: info.req.url ?? ''})
        callback(true)
      }
    },
  })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  server.on('connection', (socket) => {
    connections.push(socket)
    socket.on('message', (raw) => {
      const text = raw.toString()
      received.push(text)
      if (options.errorFrame) return socket.send(apiGatewayErrorFrame(options.errorFrame))
      let message: Record<string, unknown> | undefined
      try {
        message = JSON.parse(text) as Record<string, unknown>
      } catch {}

      const room = typeof message?.room === 'string' ? message.room : undefined
      if (options.rooms && message?.[routeField] === 'join' && room !== undefined) {
        if (!rooms.has(room)) rooms.set(room, new Set())
        rooms.get(room)!.add(connections.indexOf(socket))
        if (options.rooms.answerJoins !== false) socket.send(JSON.stringify({joined: room}))
        return
      }

      if (message?.[routeField] !== route) return socket.send(apiGatewayErrorFrame('Forbidden'))
      const members = options.rooms && room !== undefined ? rooms.get(room) : undefined
      if (options.rooms && room !== undefined && !members?.has(connections.indexOf(socket))) {
        return socket.send(JSON.stringify({error: `Join room ${room} before sending to it.`}))
      }

      const data = JSON.stringify(message.data)
      if (options.closeConnection && received.length === 1)
        connections[options.closeConnection.index]?.close(options.closeConnection.code, 'test')
      for (const client of server.clients) {
        if (client.readyState !== WebSocket.OPEN || (options.excludeSender && client === socket)) continue
        if (members && !members.has(connections.indexOf(client))) continue
        deliveries++
        if (options.dropEvery && deliveries % options.dropEvery === 0) {
          counts.dropped++
          continue
        }

        client.send(data)
        if (options.duplicateEvery && deliveries % options.duplicateEvery === 0) {
          counts.duplicated++
          client.send(data)
        }
      }
    })
  })
  const {port} = server.address() as AddressInfo
  return {
    async close() {
      for (const client of server.clients) client.terminate()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
    counts,
    handshakes,
    received,
    rooms,
    url: `ws://127.0.0.1:${port}/v1`,
  }
}
