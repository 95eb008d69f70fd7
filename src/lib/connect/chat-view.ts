import type {Output} from '../output.js'
import type {ApiGatewayErrorFrame} from '../apigw/error-frames.js'
import {describeClose} from '../apigw/close-codes.js'
import type {ClientTarget} from '../client/target.js'
import {displayUrl} from '../client/url.js'
import {type Audience, audienceFields} from './addressing.js'
import type {Framing} from './chat-plan.js'
import {SOURCE_LABELS} from './explain.js'
import type {MessageBuilder} from './message.js'
import type {EndInfo, OpenInfo} from './session.js'

/**
 * What `wsapi connect`'s run (chat.ts) expects of the terminal side (src/ui): a ChatView (how things
 * look) and a ChatInput (where lines come from); and the words of the notices the run gives it.
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

/** What a plain line becomes now, and where that rule comes from when it is not the template. */
export function describeFraming(framing: Framing, builder: MessageBuilder, audience: Audience): string {
  if (framing === 'raw') return 'Lines are sent as typed (--send-raw)'
  const shape = builder.describe(audienceFields(audience))
  if (framing !== 'seed') return shape
  return `${shape} (the seed's frames: no template.yaml here; --send-raw sends lines as typed)`
}

/** The first line of each connection: where, how fast, which subprotocol (and which connection, after the first). */
export function openedNotice(info: OpenInfo, source: ClientTarget['source']): string {
  const url = displayUrl(info.url)
  const protocol = info.protocol ? `subprotocol ${info.protocol}` : 'no subprotocol'
  const ms = `${Math.round(info.ms)} ms`
  return info.connection === 1
    ? `Connected to ${url}${SOURCE_LABELS[source]} in ${ms} · ${protocol}`
    : `Reconnected to ${url} in ${ms} · ${protocol} (connection ${info.connection})`
}

/** /history: the last `limit` lines, numbered as they were typed. */
export function historyListing(lines: string[], limit: number): string {
  if (lines.length === 0) return 'No history yet.'
  const shown = lines.slice(-limit)
  const first = lines.length - shown.length + 1
  return shown.map((line, index) => `${String(first + index).padStart(4)}  ${line}`).join('\n')
}

/** ", with 1 of 3 messages received" when --count is set. */
export function progressText(count: number | undefined, received: number): string {
  return count === undefined ? '' : `, with ${received} of ${count} messages received`
}

/** --reconnect is waiting `delayMs` before the next attempt, because of `why`. */
export function retryNotice(why: string, delayMs: number, attempt: number): string {
  return `${why}; reconnecting in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt})`
}

/** The last line of a run this side ended. */
export function quitNotice(info: EndInfo): string {
  return info.whileReconnecting
    ? 'Stopped while reconnecting (no connection was open).'
    : `Disconnected: ${describeClose(info.code, info.reason)}`
}
