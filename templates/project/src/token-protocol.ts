// Browsers cannot set an Authorization header on a WebSocket, but they can list subprotocols:
// `new WebSocket(url, ['bearer', token])` sends `Sec-WebSocket-Protocol: bearer, <token>`. Unlike a query
// string, a header stays out of access logs. $connect must then answer with `bearer`, or the client drops
// the connection.

/** The subprotocol a client names just before its token. */
export const TOKEN_PROTOCOL = 'bearer'

function protocolHeader(headers: Record<string, string> | undefined): string | undefined {
  const name = Object.keys(headers ?? {}).find((key) => key.toLowerCase() === 'sec-websocket-protocol')
  return name === undefined ? undefined : headers![name]
}

function offeredProtocols(headers: Record<string, string> | undefined): string[] {
  return (protocolHeader(headers) ?? '')
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol !== '')
}

/** The token listed after `bearer` in Sec-WebSocket-Protocol, if any. */
export function tokenFromProtocols(headers: Record<string, string> | undefined): string | undefined {
  const protocols = offeredProtocols(headers)
  const index = protocols.indexOf(TOKEN_PROTOCOL)
  return index === -1 ? undefined : protocols[index + 1]
}

export function offersTokenProtocol(headers: Record<string, string> | undefined): boolean {
  return offeredProtocols(headers).includes(TOKEN_PROTOCOL)
}
