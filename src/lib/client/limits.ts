/**
 * The largest message wsapi's clients accept (ws closes with 1009 above it). API Gateway sends at
 * most 128 KB; 4 MiB leaves room for other servers while keeping what one message can make the client
 * hold bounded (ws's default is 100 MiB, reached with a small compressed frame before compression was turned off).
 */
export const CLIENT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024
