import {terminalLine} from '../terminal-text.js'
import {hostname, networkInterfaces} from 'node:os'

import {WsapiError} from '../errors.js'

/**
 * Who may talk to `wsapi dev`: programs on this machine, and the web pages the developer means (README "Security").
 * A page the developer merely visits must not drive it: not by DNS rebinding (a foreign `Host`), not by opening
 * the WebSocket from its own origin (a foreign `Origin`), not by simple requests to @connections (see
 * management-api.ts) or to the embedded DynamoDB (see dynamodb.ts).
 */

const WILDCARDS = new Set(['', '0.0.0.0', '::'])

/** A listen address that only this machine can reach. */
export function isLoopbackAddress(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)]$/, '$1')
  return bare === 'localhost' || bare === '::1' || /^127(?:\.\d{1,3}){3}$/.test(bare)
}

/** A hostname (as `new URL(origin).hostname` gives it) that a browser always resolves to this machine. */
function isLoopbackHostname(name: string): boolean {
  // *.localhost never leaves the machine in browsers (RFC 6761 §6.3; Chromium and Firefox resolve it themselves).
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(name)
}

/** How an address appears in a Host header: IPv6 in brackets, without a zone. */
function hostForm(address: string): string {
  const bare = address.replace(/%.*$/, '')
  return (bare.includes(':') ? `[${bare}]` : bare).toLowerCase()
}

/**
 * The Host values the server answers to: `127.0.0.1`, `localhost` and `[::1]` with the port, and the `--host`
 * address; with a wildcard `--host` (0.0.0.0, ::), every address of this machine and its hostname.
 */
export function servedHosts(
  listenHost: string,
  port: number,
  interfaces = networkInterfaces(),
  machineName = hostname(),
): string[] {
  const names = ['127.0.0.1', 'localhost', '[::1]']
  if (WILDCARDS.has(listenHost)) {
    for (const entries of Object.values(interfaces))
      for (const entry of entries ?? []) names.push(hostForm(entry.address))
    if (machineName) names.push(machineName.toLowerCase())
  } else {
    names.push(hostForm(listenHost))
  }

  const hosts = [...new Set(names)].map((name) => `${name}:${port}`)
  // A Host without a port means the scheme's default one (RFC 9110 §7.2).
  return port === 80 ? [...hosts, ...hosts.map((host) => host.slice(0, host.lastIndexOf(':')))] : hosts
}

/** Text from a request, cut to `max` characters and kept on one inert line (see terminal-text.ts). */
export function visible(text: string, max = 120): string {
  return terminalLine(text.length > max ? `${text.slice(0, max)}…` : text)
}

/** Why a request with this Host header is refused, for the log; undefined when it is one of `served`. */
export function hostRefusal(host: string | undefined, served: string[]): string | undefined {
  const shown =
    served.length > 5 ? `${served.slice(0, 5).join(', ')}, …` : `${served.slice(0, -1).join(', ')} or ${served.at(-1)}`
  // Host names are case-insensitive (RFC 9110 §4.2.3); anything else must match exactly.
  if (host !== undefined && served.includes(host.toLowerCase())) return undefined
  const what = host === undefined ? 'no Host header' : `Host "${visible(host)}"`
  return `${what}: wsapi dev answers only Host ${shown} (a web page could otherwise reach it by DNS rebinding)`
}

/** The value of `--allow-origin`: `*`, or an origin (scheme, host, port) in its serialized form. */
export function parseAllowedOrigin(value: string): string {
  if (value === '*') return value
  const usage = (why: string) =>
    new WsapiError(
      `--allow-origin ${visible(value)}: ${why}; give an origin such as https://app.example.com or http://localhost:5173, or * for all.`,
      {
        code: 'BAD_ORIGIN',
        exit: 2,
      },
    )
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw usage('not a URL')
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usage('only http and https origins exist for web pages')
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== ''))
    throw usage('an origin has no path, query or user')
  return url.origin
}

/**
 * Which `Origin` a WebSocket upgrade may carry: none (CLI clients send none), the chat page's own origin, any
 * loopback origin on any port (a front-end dev server), and the `--allow-origin` list (`*`: any).
 */
export class OriginPolicy {
  private readonly allowed: Set<string>
  private readonly everyone: boolean

  /** `served`: the Host values being answered (servedHosts), whose http:// origins are the chat page's. */
  constructor(
    allowOrigins: string[],
    private readonly served: () => string[],
  ) {
    this.everyone = allowOrigins.includes('*')
    this.allowed = new Set(allowOrigins)
  }

  /** Why an upgrade with this Origin is refused, for the log; undefined when it is allowed. */
  refusal(origin: string | undefined): string | undefined {
    if (origin === undefined || this.everyone) return undefined
    const refused = `Origin "${visible(origin)}"`
    let url: URL | undefined
    try {
      url = new URL(origin)
    } catch {}

    // An Origin header holds exactly scheme://host[:port]; "null" (sandboxed iframes, file:// pages) names no page to trust.
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin.toLowerCase()) {
      return `${refused} is not a web page's origin; a page you serve yourself can be allowed with --allow-origin <origin>`
    }

    if (this.allowed.has(url.origin) || isLoopbackHostname(url.hostname)) return undefined
    if (url.protocol === 'http:' && this.served().includes(url.host)) return undefined // the chat page
    return `${refused}: a web page elsewhere must not drive wsapi dev; if it is yours, start wsapi dev with --allow-origin ${visible(url.origin)}`
  }
}
