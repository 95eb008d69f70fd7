import {API_GATEWAY_LIMITS} from './limits.js'

/** Close codes and reasons API Gateway sends, as the emulator sends them; see the README's dev section for the uncertain ones. */
export const CLOSE = {
  goingAway: {code: 1001, reason: 'Going away'},
  unsupportedData: {code: 1003, reason: 'Binary frames are not supported'},
  tooBig: {code: 1009, reason: 'Message too big'},
  deleted: {code: 1000, reason: ''},
} as const

/** What $disconnect reports for a client that closed without a status code (observed). */
export const NO_STATUS = {code: 1005, reason: 'Client-side close frame status not set'} as const
/** The socket dropped without any close frame. [inf] */
export const ABNORMAL = {code: 1006, reason: 'Connection was closed abnormally'} as const

const {idleTimeoutMs, maxDurationMs, maxFrameBytes, maxMessageBytes} = API_GATEWAY_LIMITS

/** Close codes a user meets, with what they usually mean behind API Gateway. */
const CLOSE_CODE_MEANINGS: Record<number, string> = {
  1000: 'normal closure',
  1001: `going away (API Gateway: the ${idleTimeoutMs / 60_000}-minute idle timeout or the ${maxDurationMs / 3_600_000}-hour connection limit)`,
  1002: 'protocol error',
  1003: 'unsupported data (API Gateway: binary frames are not supported)',
  1005: 'no status code in the close frame',
  1006: 'abnormal closure: the connection dropped without a close frame',
  1007: 'invalid frame payload data',
  1008: 'policy violation',
  1009: `message too big (API Gateway: a frame over ${maxFrameBytes / 1024} KB or a message over ${maxMessageBytes / 1024} KB)`,
  1010: 'mandatory extension missing',
  1011: 'internal server error',
  1012: 'service restart',
  1013: 'try again later',
  1014: 'bad gateway',
  1015: 'TLS handshake failure',
}

/** `1006 (abnormal closure: …)` or `4000 "bye"`: the code, what it means, and the reason if any. */
export function describeClose(code: number, reason: string): string {
  const meaning = CLOSE_CODE_MEANINGS[code]
  return [String(code), meaning ? `(${meaning})` : undefined, reason ? JSON.stringify(reason) : undefined]
    .filter(Boolean)
    .join(' ')
}
