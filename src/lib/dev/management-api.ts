import type {IncomingHttpHeaders, IncomingMessage, ServerResponse} from 'node:http'

import {newId} from '../apigw/ids.js'
import {API_GATEWAY_LIMITS as LIMITS} from '../apigw/limits.js'
import type {Connection, ConnectionRegistry} from './connection.js'

/**
 * The @connections management API (POST / GET / DELETE /{stage}/@connections/{id}) as API Gateway
 * answers it (docs/api-gateway-behaviour.md §3): errors carry `x-amzn-ErrorType`, which is how
 * the AWS SDK v3 recognises GoneException, PayloadTooLargeException and the rest.
 */

/** Matches /{stage}/@connections/{id} and /@connections/{id} (with `@` optionally percent-encoded). */
export const MANAGEMENT_PATH = /^\/(?:([^/]+)\/)?(?:@|%40)connections\/([^/]+)\/?$/i

/** WebSocket.OPEN, without loading ws here. */
const WS_OPEN = 1

/** More unsent bytes than this for one client and posts get 429, as AWS does when its buffer is full. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024

export interface ManagementApiOptions {
  /** Delay before each call is handled, in ms (`--latency`), to mimic AWS round trips. */
  latencyMs: number
  /** Closes the connection as DELETE does. */
  onDelete: (connection: Connection) => void
  /** Sends the POSTed bytes; returns false when the client cannot take more (429). */
  onPost: (connection: Connection, data: Buffer) => boolean
  /** Told why a call was refused (unsigned), for the log. */
  onRefused: (reason: string) => void
  /** The account-level throttle every signed call draws from (none: `--connections-rate-limit off`). */
  rateLimit?: {take(): boolean}
  registry: ConnectionRegistry
  stage: string
}

function reply(response: ServerResponse, status: number, body = '', errorType?: string): void {
  const headers: Record<string, number | string> = {
    'Content-Length': Buffer.byteLength(body),
    'Content-Type': 'application/json',
    'x-amz-apigw-id': newId(),
    'x-amzn-RequestId': crypto.randomUUID(),
  }
  if (errorType) headers['x-amzn-ErrorType'] = errorType
  response.writeHead(status, headers)
  response.end(body)
}

const forbidden = (response: ServerResponse) => reply(response, 403, '{"message":"Forbidden"}', 'ForbiddenException')
const gone = (response: ServerResponse) => reply(response, 410, '', 'GoneException')

function decodeId(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw)
  } catch {
    return undefined
  }
}

export interface SignatureRefusal {
  body: string
  errorType: string
  reason: string
}

/**
 * Why a call is refused for want of a SigV4 signature, as API Gateway refuses it (403); undefined when the
 * Authorization header has the shape of one for execute-api. The signature itself is not checked: the header
 * alone is what a web page cannot send cross-origin without a CORS preflight, and wsapi dev answers none.
 * The AWS SDK, the AWS CLI and the generated handlers sign every call
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html).
 * Signatures in the query string (presigned URLs) are not taken: a page could put one in a plain form's action.
 */
export function signatureRefusal(headers: IncomingHttpHeaders, service = 'execute-api'): SignatureRefusal | undefined {
  const authorization = headers.authorization?.trim()
  if (!authorization) {
    return {
      body: '{"message":"Missing Authentication Token"}',
      errorType: 'MissingAuthenticationTokenException',
      reason: 'without a SigV4 Authorization header',
    }
  }

  const [scheme, ...rest] = authorization.split(/\s+/)
  const parameters = new Map(
    rest
      .join(' ')
      .split(',')
      .map((pair) => pair.trim())
      .filter((pair) => pair.includes('='))
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  )
  const missing = [
    ...['Credential', 'Signature', 'SignedHeaders']
      .filter((name) => scheme !== 'AWS4-HMAC-SHA256' || !parameters.get(name))
      .map((name) => `Authorization header requires '${name}' parameter.`),
    ...(headers['x-amz-date'] || headers.date
      ? []
      : ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."]),
  ]
  if (missing.length > 0) {
    return {
      body: JSON.stringify({message: missing.join(' ')}),
      errorType: 'IncompleteSignatureException',
      reason: 'with an Authorization header that is not a SigV4 signature',
    }
  }

  // Credential=AKID/yyyymmdd/region/service/aws4_request
  const scope = parameters.get('Credential')!.split('/')
  if (scope.length !== 5 || scope[3] !== service || scope[4] !== 'aws4_request') {
    return {
      body: JSON.stringify({message: `Credential should be scoped to correct service: '${service}'. `}),
      errorType: 'InvalidSignatureException',
      reason: `with a SigV4 signature for another service than ${service}`,
    }
  }

  return undefined
}

/** Handles a request whose path matched MANAGEMENT_PATH. */
export function handleManagementRequest(
  options: ManagementApiOptions,
  request: IncomingMessage,
  response: ServerResponse,
  match: RegExpExecArray,
): void {
  const [, stage, rawId] = match
  const chunks: Buffer[] = []
  let bytes = 0
  request.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    // Keep counting past the limit (to answer 413) without keeping what is over it.
    if (bytes <= LIMITS.maxMessageBytes) chunks.push(chunk)
  })
  request.on('error', () => response.destroy())
  request.on('end', () => {
    const handle = () => {
      const unsigned = signatureRefusal(request.headers)
      if (unsigned) {
        options.onRefused(`${unsigned.reason} (AWS answers 403 too): sign it as the AWS SDK and the AWS CLI do`)
        return reply(response, 403, unsigned.body, unsigned.errorType)
      }

      // Past the account's rate, API Gateway refuses the call before looking at it; the SDK raises LimitExceededException.
      if (options.rateLimit && !options.rateLimit.take())
        return reply(response, 429, '{"message":"Rate exceeded"}', 'LimitExceededException')

      if (stage !== undefined && stage !== options.stage) return forbidden(response)
      const method = request.method ?? 'GET'
      if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') return forbidden(response)
      const id = decodeId(rawId)
      const connection = id === undefined ? undefined : options.registry.get(id)
      // Pending ($connect still running), closing and closed connections are all gone to the caller, and so is
      // one whose client sent its close frame (ws is CLOSING) but has not dropped the TCP connection yet.
      if (!connection || connection.state !== 'open' || connection.ws?.readyState !== WS_OPEN) return gone(response)
      switch (method) {
        case 'POST': {
          if (bytes > LIMITS.maxMessageBytes) {
            return reply(
              response,
              413,
              JSON.stringify({
                message: `Request payload of ${bytes} bytes is over the ${LIMITS.maxMessageBytes}-byte limit`,
              }),
              'PayloadTooLargeException',
            )
          }

          const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
          if (!options.onPost(connection, data)) {
            return reply(response, 429, '{"message":"Client buffer is full"}', 'LimitExceededException')
          }

          return reply(response, 200)
        }

        case 'GET': {
          const {identity} = connection
          return reply(
            response,
            200,
            JSON.stringify({
              connectedAt: new Date(identity.connectedAt).toISOString(),
              identity: {sourceIp: identity.sourceIp, userAgent: identity.userAgent ?? null},
              lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
            }),
          )
        }

        default: {
          options.onDelete(connection)
          response.writeHead(204, {'x-amzn-RequestId': crypto.randomUUID()})
          response.end()
        }
      }
    }

    if (options.latencyMs > 0) setTimeout(handle, options.latencyMs)
    else handle()
  })
}
