// API Gateway WebSocket quotas the handlers rely on:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html#apigateway-execution-service-websocket-limits-table

/** API Gateway's limit on one WebSocket message (and on one @connections post). */
export const MAX_MESSAGE_BYTES = 128 * 1024

/** API Gateway ends every WebSocket connection after 2 hours, so a stored connection can expire then. */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60
