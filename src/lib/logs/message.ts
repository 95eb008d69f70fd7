/** A log line split as `wsapi logs` shows it: level and request id when the runtime added them, the rest compact. */
export interface ParsedMessage {
  level?: string
  message: string
  requestId?: string
}

const LEVELS = new Set(['DEBUG', 'ERROR', 'FATAL', 'INFO', 'TRACE', 'WARN'])

/** JSON text on one line (`{"a": 1}` spread over lines becomes `{"a":1}`); other text as it is, trailing newline dropped. */
export function compactJson(text: string): string {
  const trimmed = text.trim()
  if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
    try {
      return JSON.stringify(JSON.parse(trimmed))
    } catch {
      // Not JSON after all.
    }
  }

  return text.replace(/\r?\n$/, '')
}

/**
 * A Lambda log line: the text format (`2026-01-31T14:00:00.000Z\t<request id>\tINFO\t<message>`),
 * the JSON format (`{"timestamp":…,"level":"INFO","requestId":…,"message":…}`), or the runtime's own
 * (START, END, REPORT…), as seen in CloudWatch Logs.
 */
export function parseLambdaMessage(raw: string): ParsedMessage {
  const text = raw.replace(/\r?\n$/, '')
  const tabbed = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\t([\w-]+|undefined)\t([A-Z]+)\t([\s\S]*)$/.exec(text)
  if (tabbed && LEVELS.has(tabbed[2])) {
    return {
      level: tabbed[2],
      message: compactJson(tabbed[3]),
      requestId: tabbed[1] === 'undefined' ? undefined : tabbed[1],
    }
  }

  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as Record<string, unknown>
      if (typeof parsed.level === 'string' && LEVELS.has(parsed.level.toUpperCase()) && 'message' in parsed) {
        const {level, message, requestId, timestamp: _timestamp, type: _type, ...rest} = parsed
        const body = typeof message === 'string' ? compactJson(message) : JSON.stringify(message)
        return {
          level: level.toUpperCase(),
          message: Object.keys(rest).length > 0 ? `${body} ${JSON.stringify(rest)}` : body,
          requestId: typeof requestId === 'string' ? requestId : undefined,
        }
      }

      return {message: JSON.stringify(parsed)}
    } catch {
      // Not JSON: shown as text.
    }
  }

  return {message: text}
}
