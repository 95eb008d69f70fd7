import {apiGatewayError} from '../apigw/error-frames.js'
import {jsonObject} from '../json.js'
import type {InputAction} from './slash.js'

/**
 * In a script, the lines after `/join` or `/leave` wait for its reply. API Gateway invokes each message's Lambda
 * on its own, in no set order, so a room message sent right behind its join can be handled first and refused
 * ("You have not joined room …"); a person at the prompt is slower than that, a script is not.
 */

/**
 * How long held lines wait for the reply: long enough for a cold Lambda's answer, short enough that a server
 * that does not answer joins (one made without rooms, any other WebSocket server) holds a script only briefly.
 */
export const REPLY_WAIT_MS = 5000

/**
 * True when `text` answers `/join <room>` or `/leave <room>`: `{"joined":"<room>"}`, `{"left":"<room>"}` (as a
 * project made with `wsapi init --rooms` replies), any JSON object with an `error`, or an API Gateway error frame.
 */
export function answersMembership(kind: 'join' | 'leave', room: string, text: string): boolean {
  if (apiGatewayError(text)) return true
  const reply = jsonObject(text)
  if (reply === undefined) return false
  return Object.hasOwn(reply, 'error') || reply[kind === 'join' ? 'joined' : 'left'] === room
}

/** Holds actions while a reply is awaited, then performs them in order; `idle` is called once nothing is held. */
export class ReplyGate {
  private awaited?: {matches: (text: string) => boolean; timer: NodeJS.Timeout}
  private readonly held: InputAction[] = []

  constructor(
    private readonly perform: (action: InputAction) => void,
    private readonly idle: () => void,
    private readonly waitMs = REPLY_WAIT_MS,
  ) {}

  /** Nothing awaited and nothing held. */
  get open(): boolean {
    return this.awaited === undefined && this.held.length === 0
  }

  /**
   * The action just performed awaits a reply that `matches`; later actions are held until it comes, or until
   * waitMs have passed (`timedOut` is then told, before they go).
   */
  await(matches: (text: string) => boolean, timedOut: (waitMs: number) => void = () => {}): void {
    clearTimeout(this.awaited?.timer)
    const timer = setTimeout(() => {
      timedOut(this.waitMs)
      this.release()
    }, this.waitMs)
    this.awaited = {matches, timer}
  }

  /** A text frame arrived: the reply awaited releases what is held. */
  received(text: string): void {
    if (this.awaited?.matches(text)) this.release()
  }

  stop(): void {
    clearTimeout(this.awaited?.timer)
    this.awaited = undefined
    this.held.length = 0
  }

  /** Performs the action now, or holds it behind the reply awaited. */
  submit(action: InputAction): void {
    if (this.open) this.perform(action)
    else this.held.push(action)
  }

  private release(): void {
    clearTimeout(this.awaited?.timer)
    this.awaited = undefined
    // An action performed here may await a reply of its own: the rest stay held behind it.
    while (this.awaited === undefined && this.held.length > 0) this.perform(this.held.shift()!)
    if (this.open) this.idle()
  }
}
