import {UsageError} from '../errors.js'

/** Accepts `host:port/stage` shorthand as wscat does (ws:// is added); keeps ws:// and wss:// URLs. */
export function normalizeUrl(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `ws://${url}`
  let parsed: URL
  try {
    parsed = new URL(withScheme)
  } catch {
    throw new UsageError(
      `Invalid URL ${JSON.stringify(url)}: give a WebSocket URL such as ws://127.0.0.1:3001/v1 or wss://abc.execute-api.eu-west-1.amazonaws.com/v1.`,
      {code: 'INVALID_URL'},
    )
  }

  if (parsed.protocol === 'http:') parsed.protocol = 'ws:'
  if (parsed.protocol === 'https:') parsed.protocol = 'wss:'
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new UsageError(`Invalid URL ${JSON.stringify(url)}: the scheme must be ws:// or wss://.`, {
      code: 'INVALID_URL',
    })
  }

  return parsed.href
}

/**
 * The URL with `token=<token>` in its query string, as the scaffolded $connect authorizer reads it.
 * Percent-encoded: a space becomes %20, never the form encoding's "+", which a server may keep as a plus.
 */
export function withToken(url: string, token: string | undefined): string {
  if (token === undefined) return url
  const parsed = new URL(url)
  parsed.searchParams.delete('token')
  const rest = parsed.search.slice(1)
  parsed.search = `${rest ? `${rest}&` : ''}token=${encodeURIComponent(token)}`
  return parsed.href
}

/** Query parameters masked on screen: a token, and a SigV4 signature and session token (`--sigv4`). */
const MASKED_PARAMETERS = ['token', 'X-Amz-Signature', 'X-Amz-Security-Token']

/** The URL for the screen: secret query values are masked, so that a shared terminal does not leak them. */
export function displayUrl(url: string): string {
  const parsed = new URL(url)
  const masked = MASKED_PARAMETERS.filter((name) => parsed.searchParams.has(name))
  if (masked.length === 0) return url
  for (const name of masked) parsed.searchParams.set(name, '***')
  return parsed.href
}

/**
 * A function that masks the URL's `token` value (as sent, percent-encoded, and decoded) wherever it appears in
 * a text, e.g. an error message or a frame a server echoes back. A token of a few characters is left alone: it
 * would turn every such run of characters into `***` and is no secret anyway.
 */
export function tokenMasker(url: string): (text: string) => string {
  const parsed = new URL(url)
  const token = parsed.searchParams.get('token')
  if (!token || token.length < 6) return (text) => text
  const encoded = /(?:^|&)token=([^&]*)/.exec(parsed.search.slice(1))?.[1] ?? token
  const forms = [...new Set([token, encoded])].sort((a, b) => b.length - a.length)
  return (text) => forms.reduce((result, form) => result.split(form).join('***'), text)
}

/**
 * What identifies "the same API" for history: scheme, host, port and path. The query (tokens that
 * change) and the fragment are left out; `ws://h/v1/` and `ws://h/v1` are the same API.
 */
export function historyKey(url: string): string {
  const parsed = new URL(url)
  const path = parsed.pathname.replace(/\/+$/, '')
  return `${parsed.protocol}//${parsed.host}${path}`
}
