/**
 * How received messages are shown: JSON re-indented (pretty) or squeezed onto one line (compact),
 * token by token so that nothing in the data changes (big numbers, escapes, key order, duplicate
 * keys stay as sent); API Gateway's error frames recognised so that they stand out.
 */

/** Colours for JSON tokens; the terminal side passes ansis functions, tests and pipes pass `plainStyle`. */
export interface JsonStyle {
  key(text: string): string
  literal(text: string): string
  number(text: string): string
  punctuation(text: string): string
  string(text: string): string
}

const identity = (text: string) => text

export const plainStyle: JsonStyle = {key: identity, literal: identity, number: identity, punctuation: identity, string: identity}

export interface JsonLayout {
  /** Spaces per level; undefined writes everything on one line without spaces. */
  indent?: number
  style?: JsonStyle
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])

function skipWhitespace(text: string, from: number): number {
  let index = from
  while (index < text.length && WHITESPACE.has(text[index])) index++
  return index
}

function stringEnd(text: string, start: number): number {
  let index = start + 1
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1
  return index + 1
}

/**
 * The JSON text laid out again (see JsonLayout), or undefined when the text is not JSON. Values are
 * copied from the input as written, never parsed and re-serialised.
 */
export function layoutJson(text: string, layout: JsonLayout = {}): string | undefined {
  try {
    JSON.parse(text)
  } catch {
    return undefined
  }

  const style = layout.style ?? plainStyle
  const pretty = layout.indent !== undefined
  const newline = (depth: number) => (pretty ? '\n' + ' '.repeat(depth * layout.indent!) : '')
  let out = ''
  let depth = 0
  let index = skipWhitespace(text, 0)
  while (index < text.length) {
    const char = text[index]
    if (char === '"') {
      const end = stringEnd(text, index)
      const token = text.slice(index, end)
      out += text[skipWhitespace(text, end)] === ':' ? style.key(token) : style.string(token)
      index = end
    } else if (char === '{' || char === '[') {
      const next = skipWhitespace(text, index + 1)
      if (text[next] === (char === '{' ? '}' : ']')) {
        out += style.punctuation(char === '{' ? '{}' : '[]')
        index = next + 1
      } else {
        depth++
        out += style.punctuation(char) + newline(depth)
        index++
      }
    } else if (char === '}' || char === ']') {
      depth--
      out += newline(depth) + style.punctuation(char)
      index++
    } else if (char === ',') {
      out += style.punctuation(',') + newline(depth)
      index++
    } else if (char === ':') {
      out += style.punctuation(':') + (pretty ? ' ' : '')
      index++
    } else {
      let end = index
      while (end < text.length && !WHITESPACE.has(text[end]) && !',:]}'.includes(text[end])) end++
      const token = text.slice(index, end)
      out += /^-?\d/.test(token) ? style.number(token) : style.literal(token)
      index = end
    }

    index = skipWhitespace(text, index)
  }

  return out
}

/** API Gateway's own error frames (a text frame; the connection stays open). */
export const API_GATEWAY_ERROR_HINTS: Record<string, string> = {
  'Bad request body': "the message failed the route's request model",
  'Endpoint request timed out': "the route's integration took longer than the integration timeout (API Gateway's default: 29 s)",
  Forbidden: 'no route matches this message and there is no $default route (or the request was not authorized)',
  'Internal server error': "the route's integration failed: the Lambda threw, timed out or returned a malformed response (see its logs)",
  'Too Many Requests': "the stage's or route's throttling limit (ThrottlingRateLimit / ThrottlingBurstLimit) dropped the message: send more slowly",
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
  if (!text.trimStart().startsWith('{')) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }

  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const frame = value as Record<string, unknown>
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

/** A binary frame for the screen: its size and its first bytes in hex. */
export function describeBinary(data: Buffer, maxBytes = 32): string {
  const hex = [...data.subarray(0, maxBytes)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ')
  return `[binary, ${data.length} bytes] ${hex}${data.length > maxBytes ? ' …' : ''}`
}

/**
 * A received text message on exactly one line (scripting output): JSON is compacted (lossless), other
 * text has its line breaks written as \n and \r. `--raw` skips this; `--json` is lossless for everything.
 */
export function oneLine(text: string): string {
  return layoutJson(text) ?? text.replaceAll('\r', String.raw`\r`).replaceAll('\n', String.raw`\n`)
}

/** Close codes a user meets, with what they usually mean behind API Gateway. */
const CLOSE_CODES: Record<number, string> = {
  1000: 'normal closure',
  1001: 'going away (API Gateway: the 10-minute idle timeout or the 2-hour connection limit)',
  1002: 'protocol error',
  1003: 'unsupported data (API Gateway: binary frames are not supported)',
  1005: 'no status code in the close frame',
  1006: 'abnormal closure: the connection dropped without a close frame',
  1007: 'invalid frame payload data',
  1008: 'policy violation',
  1009: "message too big (API Gateway: a frame over 32 KB or a message over 128 KB)",
  1010: 'mandatory extension missing',
  1011: 'internal server error',
  1012: 'service restart',
  1013: 'try again later',
  1014: 'bad gateway',
  1015: 'TLS handshake failure',
}

/** `1006 (abnormal closure: …)` or `4000 "bye"`: the code, what it means, and the reason if any. */
export function describeClose(code: number, reason: string): string {
  const meaning = CLOSE_CODES[code]
  return [String(code), meaning ? `(${meaning})` : undefined, reason ? JSON.stringify(reason) : undefined].filter(Boolean).join(' ')
}
