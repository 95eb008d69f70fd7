import type {ReceivedMessage} from './chat-view.js'

/** Looks like the answer to an unroutable frame: an API Gateway error frame, or `{"error": …}` as wsapi's $default sends. */
export function looksLikeKeepaliveReply(message: ReceivedMessage): boolean {
  if (message.error) return true
  if (message.binary || !message.text.trimStart().startsWith('{')) return false
  try {
    const value = JSON.parse(message.text) as Record<string, unknown>
    return typeof value === 'object' && value !== null && Object.hasOwn(value, 'error')
  } catch {
    return false
  }
}

/**
 * The replies owed to keepalive frames: each frame sent may get one reply (from $default, or API
 * Gateway's Forbidden), hidden when it comes within `windowMs` of the last keepalive and looks like one.
 * Anything else that arrives meanwhile is the user's.
 */
export class KeepaliveReplies {
  private deadline = 0
  private pending = 0

  constructor(private readonly windowMs: number) {}

  /** A keepalive frame went out: one more reply may come. */
  expect(now = Date.now()): void {
    this.deadline = now + this.windowMs
    this.pending++
  }

  /** True (and one reply fewer owed) when `message` is the reply to a keepalive frame. */
  claim(message: ReceivedMessage, now = Date.now()): boolean {
    if (this.pending === 0 || now > this.deadline || !looksLikeKeepaliveReply(message)) return false
    this.pending--
    return true
  }
}
