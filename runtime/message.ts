import {MAX_MESSAGE_BYTES} from './limits.js'

export type ParsedMessage = {data: unknown; ok: true} | {error: string; ok: false}

/**
 * Checks a `{"<routeField>": "<route>", "data": …}` message. Errors say what was wrong and show a
 * message that works, because the sender reads them in a terminal or a browser.
 */
export function parseMessage(body: string | undefined, example: string): ParsedMessage {
  const text = body ?? ''
  const bytes = new TextEncoder().encode(text).length
  if (bytes > MAX_MESSAGE_BYTES) {
    return {error: `Message too large: ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES} bytes.`, ok: false}
  }

  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return {error: `Message is not JSON. Send ${example}`, ok: false}
  }

  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.hasOwn(parsed, 'data')) {
    return {error: `Message has no "data" field. Send ${example}`, ok: false}
  }

  return {data: (parsed as {data: unknown}).data, ok: true}
}

/** The JSON text of an error reply: {"error": "..."}. */
export function errorReply(error: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({error, ...extra})
}
