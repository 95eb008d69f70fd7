import {MAX_CONNECTION_SECONDS, MAX_MESSAGE_BYTES} from '../../../runtime/limits.js'

/**
 * API Gateway WebSocket quotas: what the emulator enforces and the clients run into
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). The two the generated handlers
 * also rely on come from runtime/, which the generated project carries.
 */
export const API_GATEWAY_LIMITS = {
  /** Longest a connection may live before API Gateway closes it with 1001. */
  maxDurationMs: MAX_CONNECTION_SECONDS * 1000,
  /** No data message in either direction for this long closes the connection with 1001. */
  idleTimeoutMs: 10 * 60 * 1000,
  /** API Gateway stops waiting for an integration after 29 s. */
  integrationTimeoutMs: 29_000,
  /** One WebSocket frame; a longer message must be split into frames of at most this size, or API Gateway closes with 1009. */
  maxFrameBytes: 32 * 1024,
  /** One message (frames reassembled), and one @connections POST body; a longer message closes with 1009. */
  maxMessageBytes: MAX_MESSAGE_BYTES,
  /** Lambda authorizer result. */
  maxAuthorizerResultBytes: 8 * 1024,
  /** URL of the handshake request. */
  maxUrlLength: 4096,
} as const

/** API Gateway's default quota of new connections per second, per account and Region. */
export const APIGW_CONNECT_RATE_QUOTA = 500
