import {type IncomingMessage, STATUS_CODES} from 'node:http'
import type {Socket} from 'node:net'

import type {WebSocket, WebSocketServer} from 'ws'

import {authorizerEvent, connectEvent, type HandshakeRequest} from '../apigw/events.js'
import {newId, traceId} from '../apigw/ids.js'
import {API_GATEWAY_LIMITS as LIMITS} from '../apigw/limits.js'
import {hostRefusal, type OriginPolicy, visible} from './access.js'
import {authorizerDecision, hasIdentitySources} from './authorizer.js'
import {Connection} from './connection.js'
import {localCredentials, localIdentity} from './iam.js'
import type {InvokeResult} from './invoker.js'
import {type OpenConnections, throttleNote} from './open-connections.js'
import type {GatewayContext} from './server-types.js'

// The WebSocket upgrade and handshake, up to the connection opening (101) or being refused with an HTTP status.

/** What a throttled handshake gets (API Gateway: "429 Too Many Requests"). */
const THROTTLED_BODY = '{"message":"Too Many Requests"}'

type VerifyDone = (ok: boolean, status?: number, message?: string, headers?: Record<string, string>) => void

/** Answers an upgrade request with an HTTP error and closes the socket. */
export function rejectSocket(socket: Socket, status: number, body: string, contentType = 'application/json'): void {
  if (!socket.writable) return void socket.destroy()
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
  socket.once('finish', () => socket.destroy())
}

/** The body of a refused handshake: the handler's own, else API Gateway's for the status. */
export function refusalBody(status: number, given?: string): string {
  if (given !== undefined) return given
  if (status === 502) return '{"message": "Internal server error"}'
  if (status === 401) return '{"message":"Unauthorized"}'
  if (status === 403) return '{"message":"Forbidden"}'
  return STATUS_CODES[status] ?? ''
}

/**
 * The WebSocket upgrade: Host, Origin and path checked, the connection given its id and identity, then the
 * handshake as API Gateway runs it: the stage throttle, a SigV4 signature (AWS_IAM) or the authorizer, then
 * $connect, whose status decides whether the client gets 101 or an HTTP error.
 */
export class Handshakes {
  private readonly pending = new WeakMap<
    IncomingMessage,
    {connection: Connection; path: string; request: HandshakeRequest}
  >()

  /** Sockets between the upgrade request and the open connection, destroyed if the server stops. */
  private readonly pendingSockets = new Set<Socket>()
  private wss?: WebSocketServer

  constructor(
    private readonly gateway: GatewayContext,
    private readonly origins: OriginPolicy,
    private readonly connections: OpenConnections,
  ) {}

  /** Loads ws (lazily: `wsapi dev` loads it once it listens); upgrades are refused (503) until the server accepts. */
  async createWebSocketServer(): Promise<void> {
    const {WebSocketServer} = await import('ws')
    this.wss = new WebSocketServer({
      clientTracking: false,
      handleProtocols: () => false,
      maxPayload: LIMITS.maxMessageBytes,
      noServer: true,
      perMessageDeflate: false,
      verifyClient: (info: {req: IncomingMessage}, done: VerifyDone) => void this.verifyClient(info.req, done),
    })
    // Only the $connect response's Sec-WebSocket-Protocol reaches the client, whatever it asked for.
    this.wss.on('headers', (headers: string[], request: IncomingMessage) => {
      const protocol = this.pending.get(request)?.connection.protocol
      if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`)
    })
  }

  /** The server stops: handshakes under way are cut. */
  destroyPending(): void {
    for (const socket of this.pendingSockets) socket.destroy()
  }

  onUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    const {gateway} = this
    socket.on('error', () => socket.destroy())
    const url = request.url ?? '/'
    const foreignHost = hostRefusal(request.headers.host, gateway.served)
    if (foreignHost) {
      gateway.log.warn(`Refused a WebSocket connection to ${visible(url)} with ${foreignHost}`)
      return rejectSocket(socket, 403, '{"message":"Forbidden"}')
    }

    const foreignOrigin = this.origins.refusal(request.headers.origin)
    if (foreignOrigin) {
      gateway.log.warn(`Refused a WebSocket connection from ${foreignOrigin}`)
      return rejectSocket(socket, 403, '{"message":"Forbidden"}')
    }

    // A client retrying while the server starts (or stops) is told to come back, not run against half-loaded routes.
    if (!gateway.accepting || !this.wss) return rejectSocket(socket, 503, '{"message":"Service Unavailable"}')
    if (url.length > LIMITS.maxUrlLength) return rejectSocket(socket, 414, '{"message":"Request-URI Too Long"}')
    const queryStart = url.indexOf('?')
    const path = queryStart === -1 ? url : url.slice(0, queryStart)
    if (path !== `/${gateway.stage}` && path !== `/${gateway.stage}/`) {
      gateway.log.warn(`Refused a connection to ${visible(path)}: the WebSocket URL is ${gateway.url}`)
      return rejectSocket(socket, 403, '{"message":"Forbidden"}')
    }

    const connectedAt = Date.now()
    const sourceIp = (socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '')
    const userAgent = request.headers['user-agent']
    const connection = new Connection({
      apiId: gateway.stack.apiId,
      connectedAt,
      connectionId: newId(connectedAt),
      domainName: request.headers.host ?? `${gateway.host}:${gateway.port}`,
      sourceIp,
      stage: gateway.stage,
      stageVariables: gateway.stageVariables,
      userAgent,
    })
    connection.socket = socket
    // The headers API Gateway adds in front of the client's.
    const forwardedFor = request.headers['x-forwarded-for']
    const rawHeaders = request.rawHeaders.filter(
      (_, index, all) => !/^x-forwarded-for$/i.test(all[index - (index % 2)]),
    )
    rawHeaders.push(
      'X-Amzn-Trace-Id',
      traceId(connectedAt),
      'X-Forwarded-For',
      forwardedFor ? `${String(forwardedFor)}, ${sourceIp}` : sourceIp,
      'X-Forwarded-Port',
      String(gateway.port),
      'X-Forwarded-Proto',
      'http',
    )
    this.pending.set(request, {
      connection,
      path,
      request: {query: queryStart === -1 ? undefined : url.slice(queryStart + 1), rawHeaders},
    })
    this.pendingSockets.add(socket)
    socket.once('close', () => this.pendingSockets.delete(socket))
    this.wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      this.pendingSockets.delete(socket)
      this.connections.open(connection, ws, socket)
    })
  }

  private async verifyClient(request: IncomingMessage, done: VerifyDone): Promise<void> {
    const {gateway} = this
    const handshake = this.pending.get(request)!
    const {connection} = handshake
    gateway.registry.add(connection)
    let result: {body?: string; protocol?: string; status: number; throttled?: boolean}
    try {
      result =
        (await this.signatureRefusal(connection, handshake.path, handshake.request)) ??
        (await this.handshake(connection, handshake.request))
    } catch (error) {
      gateway.log.error(`$connect failed: ${(error as Error).stack}`)
      result = {status: 502}
    }

    // Past the upgrade the server has started: not accepting any more means it is stopping.
    const stopping = !gateway.accepting
    if (result.status >= 200 && result.status < 300 && !stopping) {
      connection.protocol = result.protocol
      done(true)
      if (connection.state === 'pending') gateway.registry.delete(connection) // the client left during $connect
      return
    }

    gateway.registry.delete(connection)
    connection.state = 'closed'
    const status = stopping ? 503 : result.status
    const body = result.throttled
      ? THROTTLED_BODY
      : refusalBody(status, status === result.status ? result.body : undefined)
    // Written here, not through ws's done(false): ws throws (and the server dies) on a status Node has no reason phrase for, such as 599.
    rejectSocket(connection.socket!, status, body, body.startsWith('{') ? 'application/json' : 'text/plain')
  }

  /**
   * With AWS_IAM authorization on $connect, the handshake must carry a SigV4 query-string signature by the local
   * caller (src/lib/dev/iam.ts), checked as API Gateway checks it; a refusal is a 403 with API Gateway's message.
   */
  private async signatureRefusal(
    connection: Connection,
    path: string,
    request: HandshakeRequest,
  ): Promise<{body: string; status: number} | undefined> {
    if (!this.gateway.routeTable.connect?.iam) return undefined
    const {checkPresignedRequest} = await import('../aws/sigv4.js')
    const check = await checkPresignedRequest(
      {host: connection.identity.domainName, path, query: new URLSearchParams(request.query ?? '')},
      {credentials: localCredentials, region: this.gateway.stack.region},
    )
    if (check.ok) {
      connection.identity.iam = localIdentity(check.accessKeyId)
      return undefined
    }

    this.gateway.log.invocation({
      connectionId: connection.id,
      route: '$connect',
      status: `403 (AWS_IAM: ${check.message})`,
    })
    return {body: JSON.stringify({message: check.message}), status: 403}
  }

  /** Authorizer, then $connect: the HTTP status the handshake gets, and the subprotocol to answer with. */
  private async handshake(
    connection: Connection,
    request: HandshakeRequest,
  ): Promise<{protocol?: string; status: number; throttled?: boolean}> {
    const {functions, log, model, routeTable, stack, throttle} = this.gateway
    // The stage's throttle comes first: a throttled handshake runs neither the authorizer nor $connect.
    if (!throttle.allow('$connect')) {
      log.invocation({
        connectionId: connection.id,
        route: '$connect',
        status: `429 (${throttleNote(throttle, '$connect')})`,
      })
      return {status: 429, throttled: true}
    }

    const connectRoute = routeTable.connect
    const authorizer = connectRoute?.authorizerId
      ? model.authorizers.find((candidate) => candidate.logicalId === connectRoute.authorizerId)
      : undefined
    if (authorizer) {
      const event = authorizerEvent(connection.identity, request, {accountId: stack.accountId, region: stack.region})
      if (!hasIdentitySources(authorizer.identitySources, event.headers ?? {}, event.queryStringParameters)) {
        log.invocation({
          connectionId: connection.id,
          functionId: authorizer.functionId,
          route: '$connect',
          status: `401 (no ${authorizer.identitySources.join(', ')})`,
        })
        return {status: 401}
      }

      const outcome = await functions.invoke(
        authorizer.functionId,
        event,
        event.requestContext.requestId,
        connection.id,
        true,
      )
      const decision =
        outcome.ok || outcome.reason !== 'integration-timeout'
          ? authorizerDecision(outcome as InvokeResult, event.methodArn, outcome.durationMs)
          : undefined
      const status = decision === undefined ? 500 : decision.allowed ? 'Allow' : decision.status
      log.invocation({
        connectionId: connection.id,
        durationMs: outcome.durationMs,
        error:
          !outcome.ok && outcome.reason !== 'integration-timeout' && outcome.error.errorMessage !== 'Unauthorized'
            ? outcome.error
            : undefined,
        functionId: authorizer.functionId,
        route: 'authorizer',
        status: decision && !decision.allowed ? `${status} (${decision.reason})` : status,
      })
      if (!decision?.allowed) return {status: decision?.status ?? 500}
      connection.identity.authorizer = decision.context
    }

    if (!connectRoute) return {status: 200}
    const event = connectEvent(connection.identity, request)
    const outcome = await functions.invoke(
      connectRoute.functionId,
      event,
      event.requestContext.requestId,
      connection.id,
      true,
    )
    let status: number
    let protocol: string | undefined
    if (!outcome.ok) status = outcome.reason === 'integration-timeout' ? 504 : 502
    else {
      const payload = outcome.payload as {
        headers?: Record<string, unknown>
        multiValueHeaders?: Record<string, unknown[]>
        statusCode?: unknown
      } | null
      const code = payload !== null && typeof payload === 'object' ? payload.statusCode : undefined
      // A response without an integer final status (1xx is not one) is malformed: API Gateway answers 502.
      status = Number.isInteger(code) && (code as number) >= 200 && (code as number) <= 599 ? (code as number) : 502
      const header = (headers: Record<string, unknown> | undefined) =>
        Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1]
      const value =
        header(payload?.headers ?? undefined) ??
        (header(payload?.multiValueHeaders ?? undefined) as unknown[] | undefined)?.[0]
      if (typeof value === 'string' && value !== '') protocol = value
    }

    log.invocation({
      connectionId: connection.id,
      durationMs: outcome.durationMs,
      error: outcome.ok
        ? undefined
        : outcome.reason === 'integration-timeout'
          ? {errorMessage: 'Endpoint request timed out', errorType: 'IntegrationTimeout'}
          : outcome.error,
      functionId: connectRoute.functionId,
      route: '$connect',
      status,
    })
    return {protocol, status}
  }
}
