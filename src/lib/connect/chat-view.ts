import type {Output} from '../output.js'
import type {ApiGatewayErrorFrame} from '../apigw/error-frames.js'

/**
 * What `wsapi connect`'s run (chat.ts) expects of the terminal side (src/ui): a ChatView (how things
 * look) and a ChatInput (where lines come from).
 */

export interface ReceivedMessage {
  binary: boolean
  data: Buffer
  /** Set when the frame is one of API Gateway's error frames (Forbidden, Internal server error, …). */
  error?: ApiGatewayErrorFrame
  /** The reply to our own keepalive frame: not the user's business (views hide it; --json marks it). */
  keepaliveReply?: boolean
  /** The data as UTF-8 text ('' for binary frames). */
  text: string
  time: Date
}

export interface SentMessage {
  keepalive?: boolean
  text: string
  time: Date
}

/** How the session looks: notices through Output's levels, messages through received/sent. */
export interface ChatView extends Output {
  /** Plain lines now go to this audience: `[lobby]`, `@<id>`, or undefined for everyone (a prompt shows it). */
  audience?(label: string | undefined): void
  received(message: ReceivedMessage): void
  sent(message: SentMessage): void
}

export interface InputHandlers {
  /** End of input: Ctrl-D in a terminal, end of the pipe in a script. */
  end(): void
  /** Ctrl-C, SIGINT, SIGTERM. */
  interrupt(): void
  line(text: string): void
}

export interface ChatInput {
  start(handlers: InputHandlers): void
  stop(): void
}
