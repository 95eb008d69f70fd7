import {jsonObject} from '../json.js'
import {API_GATEWAY_LIMITS} from './limits.js'

/**
 * API Gateway's own error frames: a text frame in place of a route's answer; the connection stays open.
 * The emulator builds them byte for byte, the clients recognise them.
 */

/** The error frames the emulator sends. */
export type ErrorFrameMessage =
  'Endpoint request timed out' | 'Forbidden' | 'Internal server error' | 'Too Many Requests'

/** API Gateway's error frame, byte for byte (note the one space after "message":). */
export function errorFrame(message: ErrorFrameMessage, connectionId: string, requestId: string): string {
  return `{"message": ${JSON.stringify(message)}, "connectionId":${JSON.stringify(connectionId)}, "requestId":${JSON.stringify(requestId)}}`
}

/** Every error frame API Gateway sends, with what usually causes it. */
export const API_GATEWAY_ERROR_HINTS: Record<string, string> = {
  'Bad request body': "the message failed the route's request model",
  'Endpoint request timed out': `the route's integration took longer than the integration timeout (API Gateway's default: ${API_GATEWAY_LIMITS.integrationTimeoutMs / 1000} s)`,
  Forbidden: 'no route matches this message and there is no $default route (or the request was not authorized)',
  'Internal server error':
    "the route's integration failed: the Lambda threw, timed out or returned a malformed response (see its logs)",
  'Too Many Requests':
    "the stage's or route's throttling limit (ThrottlingRateLimit / ThrottlingBurstLimit) dropped the message: send more slowly",
}

const ERROR_FRAME_KEYS = new Set(['connectionId', 'message', 'messageId', 'requestId'])

export interface ApiGatewayErrorFrame {
  connectionId?: string
  hint: string
  message: string
  requestId?: string
}

/** What a client knows of the server: `wsapi dev` records its integration timeout. */
export interface ServerFacts {
  integrationTimeoutMs?: number
}

/** "2 s", "1.5 s", "500 ms". */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(2))} s`
}

function hintFor(message: string, facts: ServerFacts): string {
  if (message === 'Endpoint request timed out' && facts.integrationTimeoutMs !== undefined) {
    return `the route's integration took longer than ${duration(facts.integrationTimeoutMs)} (the server's integration timeout)`
  }

  return API_GATEWAY_ERROR_HINTS[message]
}

/**
 * The error frame API Gateway sends in place of a route's answer, e.g.
 * `{"message": "Forbidden", "connectionId":"…", "requestId":"…"}`; undefined for any other message.
 * Only API Gateway's own texts count: anyone can broadcast `{"message":"…","connectionId":"…","requestId":"…"}`,
 * and a frame flagged as API Gateway's must not carry words of a stranger's choosing.
 */
export function apiGatewayError(text: string, facts: ServerFacts = {}): ApiGatewayErrorFrame | undefined {
  const frame = jsonObject(text)
  if (frame === undefined) return undefined
  if (typeof frame.message !== 'string' || !Object.hasOwn(API_GATEWAY_ERROR_HINTS, frame.message)) return undefined
  if (!Object.keys(frame).every((key) => ERROR_FRAME_KEYS.has(key))) return undefined
  const id = (field: unknown) => (typeof field === 'string' ? field : undefined)
  return {
    connectionId: id(frame.connectionId),
    hint: hintFor(frame.message, facts),
    message: frame.message,
    requestId: id(frame.requestId) ?? id(frame.messageId),
  }
}
