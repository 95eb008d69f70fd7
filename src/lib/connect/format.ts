/**
 * How received messages are shown: JSON re-indented (pretty) or squeezed onto one line (compact),
 * token by token so that nothing in the data changes (big numbers, escapes, key order, duplicate
 * keys stay as sent). API Gateway's error frames and close codes are recognised in ../apigw/.
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

export const plainStyle: JsonStyle = {
  key: identity,
  literal: identity,
  number: identity,
  punctuation: identity,
  string: identity,
}

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
