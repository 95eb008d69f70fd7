import type {ClientTarget} from './target.js'
import {withToken} from './url.js'

/**
 * How `--token` reaches the server, the way the project's authorizer reads it: a jwt project names a
 * token subprotocol (template Metadata.wsapi.auth.tokenProtocol), so the token goes in
 * Sec-WebSocket-Protocol as `bearer, <token>` and stays out of URLs and access logs; otherwise it is
 * the `token` query string.
 */
export function tokenTransport(
  target: Pick<ClientTarget, 'tokenProtocol' | 'url'>,
  token: string | undefined,
): {subprotocols: string[]; url: string} {
  if (token === undefined) return {subprotocols: [], url: target.url}
  if (target.tokenProtocol) return {subprotocols: [target.tokenProtocol, token], url: target.url}
  return {subprotocols: [], url: withToken(target.url, token)}
}
