import {UsageError} from '../errors.js'

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^`|~\w-]+$/

/** `Name: value` → [name, value]; throws a UsageError naming the bad header. */
export function parseHeader(header: string): [string, string] {
  const colon = header.indexOf(':')
  const name = colon === -1 ? '' : header.slice(0, colon).trim()
  if (!HEADER_NAME.test(name)) {
    throw new UsageError(`Invalid header ${JSON.stringify(header)}: write it as "Name: value", e.g. -H "Authorization: Bearer abc".`, {code: 'INVALID_HEADER'})
  }

  return [name, header.slice(colon + 1).trim()]
}

/** `-H "Name: value"` flags → a headers object. */
export function parseHeaderFlags(headers: readonly string[] = []): Record<string, string> {
  return Object.fromEntries(headers.map((header) => parseHeader(header)))
}
