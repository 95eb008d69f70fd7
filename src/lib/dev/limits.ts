/**
 * API Gateway WebSocket quotas that the emulator enforces (docs/api-gateway-behaviour.md §4; AWS:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 */
export const LIMITS = {
  /** Longest a connection may live before API Gateway closes it with 1001. */
  maxDurationMs: 2 * 60 * 60 * 1000,
  /** No data message in either direction for this long closes the connection with 1001. */
  idleTimeoutMs: 10 * 60 * 1000,
  /** API Gateway stops waiting for an integration after 29 s. */
  integrationTimeoutMs: 29_000,
  /** One WebSocket frame from a client. */
  maxFrameBytes: 32 * 1024,
  /** One message (frames reassembled), and one @connections POST body. */
  maxMessageBytes: 128 * 1024,
  /** Lambda authorizer result. */
  maxAuthorizerResultBytes: 8 * 1024,
  /** URL of the handshake request. */
  maxUrlLength: 4096,
} as const

/** Close codes and reasons the emulator sends; see the README's dev section for the uncertain ones. */
export const CLOSE = {
  goingAway: {code: 1001, reason: 'Going away'},
  unsupportedData: {code: 1003, reason: 'Binary frames are not supported'},
  tooBig: {code: 1009, reason: 'Message too big'},
  deleted: {code: 1000, reason: ''},
} as const

/** What $disconnect reports for a client that closed without a status code (observed). */
export const NO_STATUS = {code: 1005, reason: 'Client-side close frame status not set'} as const
/** The socket dropped without any close frame. [inf] */
export const ABNORMAL = {code: 1006, reason: 'Connection was closed abnormally'} as const
