import {isUtf8} from 'node:buffer'
import type {Socket} from 'node:net'

import type {WebSocket} from 'ws'

import {ABNORMAL, CLOSE, NO_STATUS} from '../apigw/close-codes.js'
import {errorFrame, type ErrorFrameMessage} from '../apigw/error-frames.js'
import {disconnectEvent, messageEvent} from '../apigw/events.js'
import {newId} from '../apigw/ids.js'
import {API_GATEWAY_LIMITS as LIMITS} from '../apigw/limits.js'
import type {CloseStatus, Connection} from './connection.js'
import {FrameGuard} from './frame-guard.js'
import type {InvokeResult} from './invoker.js'
import {MAX_BUFFERED_BYTES} from './management-api.js'
import type {GatewayContext} from './server-types.js'
import type {StageThrottle} from './throttle.js'

// Connections once open: their messages, their timers, the closes from either side, and $disconnect.

/** How long a client has to answer the server's close frame before it is cut off. */
const CLOSE_ANSWER_MS = 2000

/**
 * The connections past their handshake: each message routed to its function (and a two-way route's answer sent
 * back), the idle and maximum-duration timers, the closes from either side, and $disconnect once per connection.
 */
export class OpenConnections {
  private readonly disconnects = new Set<Promise<void>>()

  constructor(private readonly gateway: GatewayContext) {}

  /** The handshake succeeded: the connection takes messages from now on. */
  open(connection: Connection, ws: WebSocket, socket: Socket): void {
    const {log, options, registry} = this.gateway
    connection.ws = ws
    connection.state = 'open'
    registry.add(connection)
    const guard = new FrameGuard((kind) => {
      if (connection.state !== 'open') return
      log.warn(
        `${connection.id}: ${kind === 'frame' ? `a frame over ${LIMITS.maxFrameBytes}` : `a message over ${LIMITS.maxMessageBytes}`} bytes; closing with 1009`,
      )
      this.serverClose(connection, CLOSE.tooBig)
    })
    // Before ws reads the bytes, so that an oversized frame is refused from its header on.
    socket.prependListener('data', (chunk: Buffer) => guard.push(chunk))
    // A protocol error: ws closes the connection itself (1002, 1007, 1009); $disconnect reports the close it sent.
    ws.on('error', (error: Error) => {
      const code = protocolErrorCode(error)
      if (code === undefined || connection.state !== 'open') return
      log.warn(`${connection.id}: ${error.message}; closing with ${code}`)
      connection.state = 'closing'
      connection.closedBy = {code, reason: ''}
    })
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(connection, data, isBinary))
    ws.on('close', (code: number, reason: Buffer) => this.onClose(connection, code, reason))
    const idleTimeoutMs = options.idleTimeoutMs ?? LIMITS.idleTimeoutMs
    const maxDurationMs = options.maxDurationMs ?? LIMITS.maxDurationMs
    connection.timers.push(
      setTimeout(() => this.serverClose(connection, CLOSE.goingAway), idleTimeoutMs),
      setTimeout(
        () => this.serverClose(connection, CLOSE.goingAway),
        Math.max(0, connection.identity.connectedAt + maxDurationMs - Date.now()),
      ),
    )
  }

  /** An @connections POST: false when the client cannot take more (its unsent bytes are over the limit). */
  post(connection: Connection, data: Buffer): boolean {
    if (connection.ws!.bufferedAmount > MAX_BUFFERED_BYTES) return false
    this.send(connection, data)
    return true
  }

  /** Closes from the server side; $disconnect reports `status`. */
  serverClose(connection: Connection, status: CloseStatus): void {
    if (connection.state !== 'open') return
    connection.state = 'closing'
    connection.closedBy = status
    connection.ws!.close(status.code, status.reason)
    // A client that never answers the close frame is cut off.
    const cutOff = setTimeout(() => connection.ws!.terminate(), CLOSE_ANSWER_MS)
    cutOff.unref()
    connection.timers.push(cutOff)
  }

  /** Closes every open connection with 1001 and waits, within reason, for their $disconnect (best effort in AWS too). */
  async closeAll(): Promise<void> {
    const open = this.gateway.registry.open()
    const closed = open.map(
      (connection) => new Promise<void>((resolve) => connection.ws!.once('close', () => resolve())),
    )
    for (const connection of open) this.serverClose(connection, CLOSE.goingAway)
    await Promise.race([Promise.all(closed), delay(3000)])
    await Promise.race([Promise.all([...this.disconnects]), delay(10_000)])
  }

  /** Data moved in either direction: the idle timer starts again. */
  private touch(connection: Connection): void {
    connection.lastActiveAt = Date.now()
    connection.timers[0]?.refresh()
  }

  private send(connection: Connection, data: Buffer | string): void {
    if (connection.state !== 'open') return
    // A text frame must hold UTF-8 (RFC 6455 §8.1; clients close with 1007 otherwise): other posted bytes go as a binary frame.
    connection.ws!.send(data, {binary: typeof data !== 'string' && !isUtf8(data)})
    this.touch(connection)
  }

  private onMessage(connection: Connection, data: Buffer, isBinary: boolean): void {
    const {functions, log, routeTable, throttle} = this.gateway
    if (connection.state !== 'open') return
    if (isBinary) {
      log.warn(`${connection.id}: a binary frame; closing with 1003 (API Gateway accepts text frames only)`)
      this.serverClose(connection, CLOSE.unsupportedData)
      return
    }

    this.touch(connection)
    const body = data.toString('utf8')
    const now = Date.now()
    const requestId = newId(now)
    const {route, selected} = routeTable.select(body)
    if (!route) {
      this.send(connection, errorFrame('Forbidden', connection.id, requestId))
      log.invocation({
        connectionId: connection.id,
        route: selected === undefined ? '(not JSON)' : JSON.stringify(selected),
        status: 'Forbidden (no route and no $default)',
      })
      return
    }

    if (!throttle.allow(route.key)) {
      this.send(connection, errorFrame('Too Many Requests', connection.id, requestId))
      log.invocation({
        connectionId: connection.id,
        route: route.key,
        status: `Too Many Requests (${throttleNote(throttle, route.key)})`,
      })
      return
    }

    const event = messageEvent(connection.identity, route.key, body, {now, requestId})
    void functions.invoke(route.functionId, event, requestId, connection.id, true).then((outcome) => {
      let frame: ErrorFrameMessage | undefined
      let status: number | string
      if (outcome.ok) {
        const payload = outcome.payload as {body?: unknown; statusCode?: unknown} | null
        status = statusOf(payload)
        if (route.twoWay) {
          if (
            payload === null ||
            typeof payload !== 'object' ||
            (payload.body !== undefined && typeof payload.body !== 'string')
          ) {
            frame = 'Internal server error'
            status = 'malformed Lambda proxy response'
          } else {
            this.send(connection, (payload.body as string | undefined) ?? '')
          }
        }
      } else {
        frame = outcome.reason === 'integration-timeout' ? 'Endpoint request timed out' : 'Internal server error'
        status = frame
      }

      if (frame) this.send(connection, errorFrame(frame, connection.id, requestId))
      log.invocation({
        connectionId: connection.id,
        durationMs: outcome.durationMs,
        error: !outcome.ok && outcome.reason !== 'integration-timeout' ? outcome.error : undefined,
        functionId: route.functionId,
        route: route.key,
        status,
      })
    })
  }

  private onClose(connection: Connection, code: number, reason: Buffer): void {
    const wasOpen = connection.state === 'open' || connection.state === 'closing'
    for (const timer of connection.timers) clearTimeout(timer)
    connection.timers = []
    connection.state = 'closed'
    this.gateway.registry.delete(connection)
    if (!wasOpen) return
    const status =
      connection.closedBy ??
      (code === 1005 ? NO_STATUS : code === 1006 ? ABNORMAL : {code, reason: reason.toString('utf8')})
    this.fireDisconnect(connection, status)
  }

  /** Best effort and at most once, as in API Gateway: a failure is logged and touches nothing else. */
  private fireDisconnect(connection: Connection, status: CloseStatus): void {
    if (connection.disconnected) return
    connection.disconnected = true
    const {functions, log, routeTable} = this.gateway
    const route = routeTable.disconnect
    if (!route) return
    const event = disconnectEvent(connection.identity, status)
    const done = functions
      .invoke(route.functionId, event, event.requestContext.requestId, connection.id, false)
      .then((outcome) => {
        log.invocation({
          connectionId: connection.id,
          durationMs: outcome.durationMs,
          error: outcome.ok ? undefined : (outcome as Extract<InvokeResult, {ok: false}>).error,
          functionId: route.functionId,
          note: `(${`${status.code} ${status.reason}`.trim()})`,
          route: '$disconnect',
          status: outcome.ok ? statusOf(outcome.payload) : 'failed',
        })
      })
    this.disconnects.add(done)
    void done.finally(() => this.disconnects.delete(done))
  }
}

/** For the log: the stage setting that throttled a route. */
export function throttleNote(throttle: StageThrottle, routeKey: string): string {
  const limits = throttle.limits(routeKey)
  return `stage throttle: ${limits?.rateLimit}/s, burst ${limits?.burstLimit}`
}

/** The close code ws sends for a client's protocol error (it keeps it under a symbol of its own). */
export function protocolErrorCode(error: Error): number | undefined {
  const key = Object.getOwnPropertySymbols(error).find((symbol) => symbol.description === 'status-code')
  const code: unknown = key === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[key]
  return typeof code === 'number' ? code : undefined
}

/** The statusCode a handler returned, for the log. */
export function statusOf(payload: unknown): number | string {
  const code =
    payload !== null && typeof payload === 'object' ? (payload as {statusCode?: unknown}).statusCode : undefined
  return typeof code === 'number' ? code : 'ok'
}

const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref()
  })
