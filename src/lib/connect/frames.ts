import {API_GATEWAY_LIMITS} from '../apigw/limits.js'

/** Frame payload bytes that keep a whole client frame (≤ 14 header bytes) within API Gateway's frame limit. */
export const FRAME_PAYLOAD_BYTES = API_GATEWAY_LIMITS.maxFrameBytes - 14

/** Cuts UTF-8 bytes into pieces of at most `maxBytes`, never inside a character. */
export function splitUtf8(bytes: Buffer, maxBytes: number): Buffer[] {
  const pieces: Buffer[] = []
  let start = 0
  while (bytes.length - start > maxBytes) {
    let end = start + maxBytes
    // Back up over continuation bytes (10xxxxxx) to the start of a character.
    while (end > start && (bytes[end] & 0xc0) === 0x80) end--
    pieces.push(bytes.subarray(start, end))
    start = end
  }

  pieces.push(bytes.subarray(start))
  return pieces
}
