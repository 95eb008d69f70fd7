import {UsageError} from '../errors.js'

/** An HTTP field name: a token (RFC 9110 §5.1). */
const HEADER_NAME = /^[!#$%&'*+.^`|~\w-]+$/

/** `Name: value` → [name, value]; throws a UsageError naming the bad header. */
function parseHeader(header: string): [string, string] {
  const colon = header.indexOf(':')
  const name = colon === -1 ? '' : header.slice(0, colon).trim()
  if (!HEADER_NAME.test(name)) {
    throw new UsageError(
      `Invalid header ${JSON.stringify(header)}: write it as "Name: value", e.g. -H "Authorization: Bearer abc".`,
      {code: 'INVALID_HEADER'},
    )
  }

  return [name, header.slice(colon + 1).trim()]
}

/** `-H "Name: value"` flags (`wsapi connect`, `wsapi bench`) → the handshake's headers. */
export function parseHeaderFlags(headers: readonly string[] = []): Record<string, string> {
  return Object.fromEntries(headers.map((header) => parseHeader(header)))
}
