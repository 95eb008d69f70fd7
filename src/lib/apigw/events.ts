import type {AuthorizerEvent, WebSocketEvent, WebSocketRequestContext} from '../../../runtime/types.js'
import {newId} from './ids.js'

/**
 * The Lambda proxy events API Gateway sends for WebSocket routes, field for field as captured from AWS
 * (docs/api-gateway-behaviour.md §1). Their types are the generated handlers' own (runtime/types.ts); the
 * builders set keys in AWS's order so that logged events read alike.
 */

export type {AuthorizerEvent, WebSocketEvent, WebSocketRequestContext} from '../../../runtime/types.js'

/** What every event of one connection shares. */
export interface ConnectionIdentity {
  apiId: string
  /** Context from the $connect authorizer, as later events carry it. */
  authorizer?: Record<string, unknown>
  connectedAt: number
  connectionId: string
  /** The Host the client connected to (with the port): API Gateway's domain name for this API. */
  domainName: string
  /** Who signed the handshake, on a route with AWS_IAM authorization. */
  iam?: {accessKey: string; accountId: string; caller: string; user: string; userArn: string}
  sourceIp: string
  stage: string
  stageVariables?: Record<string, string>
  userAgent?: string
}

/** The parts of the upgrade request that go into $connect and authorizer events. */
export interface HandshakeRequest {
  /** As Node gives them: name, value, name, value… with the client's spelling. */
  rawHeaders: string[]
  /** The URL's query string without `?`; undefined or empty when there is none. */
  query?: string
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (value: number) => (value < 10 ? `0${value}` : String(value))

/** Common Log Format in UTC, as `requestTime`: 11/Nov/2024:11:35:24 +0000. */
export function formatRequestTime(epochMs: number): string {
  const date = new Date(epochMs)
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
}

function requestContext(
  connection: ConnectionIdentity,
  routeKey: string,
  eventType: WebSocketRequestContext['eventType'],
  extra: {
    disconnectReason?: string
    disconnectStatusCode?: number
    messageId?: string
    now?: number
    requestId?: string
  },
): WebSocketRequestContext {
  const now = extra.now ?? Date.now()
  const requestId = extra.requestId ?? newId(now)
  const identity: WebSocketRequestContext['identity'] = {...connection.iam, sourceIp: connection.sourceIp}
  if (connection.userAgent !== undefined) identity.userAgent = connection.userAgent
  const context = {routeKey} as WebSocketRequestContext
  if (extra.messageId !== undefined) context.messageId = extra.messageId
  if (extra.disconnectStatusCode !== undefined) context.disconnectStatusCode = extra.disconnectStatusCode
  context.eventType = eventType
  context.extendedRequestId = requestId
  context.requestTime = formatRequestTime(now)
  context.messageDirection = 'IN'
  if (extra.disconnectReason !== undefined) context.disconnectReason = extra.disconnectReason
  context.stage = connection.stage
  context.connectedAt = connection.connectedAt
  context.requestTimeEpoch = Math.max(now, connection.connectedAt)
  context.identity = identity
  context.requestId = requestId
  context.domainName = connection.domainName
  context.connectionId = connection.connectionId
  context.apiId = connection.apiId
  if (connection.authorizer) context.authorizer = connection.authorizer
  return context
}

/**
 * headers (last value wins) and multiValueHeaders (every value) from the raw header list; names keep the client's spelling.
 * Built through Maps so that a header or parameter named `__proto__` is kept like any other, not swallowed by the prototype.
 */
export function headerMaps(rawHeaders: string[]): {
  headers: Record<string, string>
  multiValueHeaders: Record<string, string[]>
} {
  const headers = new Map<string, string>()
  const multiValueHeaders = new Map<string, string[]>()
  const spelling = new Map<string, string>()
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const lower = rawHeaders[i].toLowerCase()
    let name = spelling.get(lower)
    if (name === undefined) {
      name = rawHeaders[i]
      spelling.set(lower, name)
      multiValueHeaders.set(name, [])
    }

    headers.set(name, rawHeaders[i + 1])
    multiValueHeaders.get(name)!.push(rawHeaders[i + 1])
  }

  return {headers: Object.fromEntries(headers), multiValueHeaders: Object.fromEntries(multiValueHeaders)}
}

/** queryStringParameters (last value) and multiValueQueryStringParameters (all), or undefined without a query string. */
export function queryMaps(
  query: string | undefined,
):
  | {multiValueQueryStringParameters: Record<string, string[]>; queryStringParameters: Record<string, string>}
  | undefined {
  if (!query) return undefined
  const single = new Map<string, string>()
  const multi = new Map<string, string[]>()
  for (const [key, value] of new URLSearchParams(query)) {
    single.set(key, value)
    if (multi.has(key)) multi.get(key)!.push(value)
    else multi.set(key, [value])
  }

  return {multiValueQueryStringParameters: Object.fromEntries(multi), queryStringParameters: Object.fromEntries(single)}
}

function requestParts(
  request: HandshakeRequest,
): Pick<WebSocketEvent, 'headers' | 'multiValueHeaders' | 'multiValueQueryStringParameters' | 'queryStringParameters'> {
  const parts: Pick<
    WebSocketEvent,
    'headers' | 'multiValueHeaders' | 'multiValueQueryStringParameters' | 'queryStringParameters'
  > = headerMaps(request.rawHeaders)
  const query = queryMaps(request.query)
  if (query) {
    parts.queryStringParameters = query.queryStringParameters
    parts.multiValueQueryStringParameters = query.multiValueQueryStringParameters
  }

  return parts
}

export function connectEvent(connection: ConnectionIdentity, request: HandshakeRequest, now?: number): WebSocketEvent {
  const event: WebSocketEvent = {
    ...requestParts(request),
    requestContext: requestContext(connection, '$connect', 'CONNECT', {now}),
    isBase64Encoded: false,
  }
  if (connection.stageVariables) event.stageVariables = connection.stageVariables
  return event
}

/** The REQUEST authorizer's event: what $connect gets, plus type and methodArn. */
export function authorizerEvent(
  connection: ConnectionIdentity,
  request: HandshakeRequest,
  options: {accountId: string; region: string},
  now?: number,
): AuthorizerEvent {
  const base = connectEvent(connection, request, now)
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${options.region}:${options.accountId}:${connection.apiId}/${connection.stage}/$connect`,
    ...base,
    stageVariables: connection.stageVariables ?? {},
  }
}

export function messageEvent(
  connection: ConnectionIdentity,
  routeKey: string,
  body: string,
  options: {messageId?: string; now?: number; requestId?: string} = {},
): WebSocketEvent {
  const now = options.now ?? Date.now()
  const event: WebSocketEvent = {
    requestContext: requestContext(connection, routeKey, 'MESSAGE', {
      messageId: options.messageId ?? newId(now),
      now,
      requestId: options.requestId,
    }),
    body,
    isBase64Encoded: false,
  }
  if (connection.stageVariables) event.stageVariables = connection.stageVariables
  return event
}

export function disconnectEvent(
  connection: ConnectionIdentity,
  status: {code: number; reason: string},
  now?: number,
): WebSocketEvent {
  const event: WebSocketEvent = {
    // API Gateway sends these synthetic headers on $disconnect, whatever the client sent.
    headers: {Host: connection.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': ''},
    multiValueHeaders: {Host: [connection.domainName], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': ['']},
    requestContext: requestContext(connection, '$disconnect', 'DISCONNECT', {
      disconnectReason: status.reason,
      disconnectStatusCode: status.code,
      now,
    }),
    isBase64Encoded: false,
  }
  if (connection.stageVariables) event.stageVariables = connection.stageVariables
  return event
}
