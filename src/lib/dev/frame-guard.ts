import {API_GATEWAY_LIMITS as LIMITS} from '../apigw/limits.js'

export type FrameViolation = 'frame' | 'message'

/**
 * Reads the headers of the frames a client sends (RFC 6455 §5.2) to enforce API Gateway's 32 KB frame and
 * 128 KB message limits as soon as a header announces too much; the `ws` library reports neither frame
 * sizes nor fragments. It only counts: the payload bytes are skipped, never copied.
 */
export class FrameGuard {
  private header = Buffer.alloc(14)
  private headerLength = 0
  private messageBytes = 0
  private payloadLeft = 0
  private violated = false

  constructor(
    private readonly onViolation: (kind: FrameViolation) => void,
    private readonly maxFrameBytes: number = LIMITS.maxFrameBytes,
    private readonly maxMessageBytes: number = LIMITS.maxMessageBytes,
  ) {}

  /** Feeds bytes as they arrive from the socket. */
  push(chunk: Buffer): void {
    let offset = 0
    while (offset < chunk.length && !this.violated) {
      if (this.payloadLeft > 0) {
        const skip = Math.min(this.payloadLeft, chunk.length - offset)
        this.payloadLeft -= skip
        offset += skip
        continue
      }

      this.header[this.headerLength++] = chunk[offset++]
      this.parseHeader()
    }
  }

  private parseHeader(): void {
    if (this.headerLength < 2) return
    const lengthCode = this.header[1] & 0x7f
    const masked = (this.header[1] & 0x80) !== 0
    const extended = lengthCode === 126 ? 2 : lengthCode === 127 ? 8 : 0
    const needed = 2 + extended + (masked ? 4 : 0)
    if (this.headerLength < needed) return

    let length: number
    if (lengthCode === 126) length = this.header.readUInt16BE(2)
    else if (lengthCode === 127) {
      // Anything over 2^32 is over every limit; treat it as infinite rather than lose precision.
      length = this.header.readUInt32BE(2) > 0 ? Number.POSITIVE_INFINITY : this.header.readUInt32BE(6)
    } else length = lengthCode

    const opcode = this.header[0] & 0x0f
    const fin = (this.header[0] & 0x80) !== 0
    this.headerLength = 0
    this.payloadLeft = length
    if (opcode >= 0x8) return // control frames (close, ping, pong) are not part of a message
    if (length > this.maxFrameBytes) return this.violate('frame')
    this.messageBytes = opcode === 0 ? this.messageBytes + length : length
    if (this.messageBytes > this.maxMessageBytes) return this.violate('message')
    if (fin) this.messageBytes = 0
  }

  private violate(kind: FrameViolation): void {
    this.violated = true
    this.onViolation(kind)
  }
}
