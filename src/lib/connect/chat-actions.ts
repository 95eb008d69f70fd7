import {WsapiError} from '../errors.js'
import {type Audience, audienceFields, audienceLabel, describeAudience, EVERYONE} from './addressing.js'
import type {ChatPlan} from './chat-plan.js'
import {type ChatView, describeFraming, historyListing} from './chat-view.js'
import type {LineHistory} from './history.js'
import {answersMembership} from './reply-gate.js'
import {type InputAction, slashHelp} from './slash.js'

/**
 * What each input line of `wsapi connect` does once parsed (slash.ts): frames sent, the audience of plain
 * lines (/room, /to), the route, /history, /ping, /close. The run (chat.ts) supplies the ports.
 */

/** What performing an action needs of the run. */
export interface ChatActionPorts {
  history?: LineHistory
  plan: ChatPlan
  view: ChatView
  /** Scripts: hold the next lines until a text answers (reply-gate.ts). */
  awaitReply(answered: (text: string) => boolean, timedOut: (waitMs: number) => void): void
  ping(data: string): Promise<number>
  quit(code?: number, reason?: string): void
  transmit(text: string): void
}

export class ChatActions {
  /** Who plain lines go to (/room, /to). */
  private audience: Audience = EVERYONE

  constructor(private readonly ports: ChatActionPorts) {}

  /** What a plain line becomes now (chat-view.ts's describeFraming for the current audience). */
  describeFraming(): string {
    return describeFraming(this.ports.plan.framing, this.ports.plan.builder, this.audience)
  }

  /** Performs an action; one that cannot be done (a /room without a route) throws a WsapiError. */
  perform(action: InputAction): void {
    const {plan, view} = this.ports
    switch (action.kind) {
      case 'close': {
        this.ports.quit(action.code, action.reason)
        break
      }

      case 'empty': {
        break
      }

      case 'help': {
        view.info(`Commands:\n${slashHelp()}\n${this.describeFraming()}.`)
        break
      }

      case 'history': {
        if (this.ports.history) view.info(historyListing(this.ports.history.load(), action.limit))
        else view.warn('/history: there is no history in scripts.')
        break
      }

      case 'join':
      case 'leave': {
        this.ports.transmit(plan.builder.command(action.kind, {room: action.room}))
        if (!plan.interactive) {
          const answered = (text: string) => answersMembership(action.kind, action.room, text)
          this.ports.awaitReply(answered, (ms) =>
            view.warn(
              `No reply to /${action.kind} ${action.room} within ${ms / 1000} s: sending the next lines anyway.`,
            ),
          )
        }

        break
      }

      case 'line': {
        this.ports.transmit(plan.builder.build(action.line, audienceFields(this.audience)).text)
        break
      }

      case 'room': {
        this.address(action.room === undefined ? EVERYONE : {kind: 'room', room: action.room})
        break
      }

      case 'to': {
        this.address(action.recipient === undefined ? EVERYONE : {kind: 'connection', recipient: action.recipient})
        break
      }

      case 'whoami': {
        this.ports.transmit(plan.builder.command('whoami'))
        break
      }

      case 'ping': {
        this.ports.ping(action.data).then(
          (ms) => view.info(`pong in ${ms.toFixed(1)} ms`),
          (error: Error) => view.error(error.message),
        )
        break
      }

      case 'quit': {
        this.ports.quit()
        break
      }

      case 'raw':
      case 'send': {
        this.ports.transmit(action.text)
        break
      }

      case 'route': {
        if (action.route !== undefined) {
          try {
            plan.builder.setRoute(action.route)
          } catch (error) {
            view.error((error as Error).message)
            break
          }
        }

        view.info(`Route: ${plan.builder.route ?? '(none)'}. ${this.describeFraming()}.`)
        break
      }
    }
  }

  /** `/room` and `/to`: plain lines go to `audience` from now on; they need a route to carry the room or recipient. */
  private address(audience: Audience): void {
    const {plan, view} = this.ports
    if (audience.kind !== 'everyone' && plan.builder.route === undefined) {
      const why =
        plan.framing === 'raw' ? 'lines are sent as typed (--send-raw)' : 'lines are sent as typed (no route known)'
      throw new WsapiError(
        `/${audience.kind === 'room' ? 'room' : 'to'}: ${why}, so they cannot carry a ${audience.kind === 'room' ? 'room' : 'recipient'}: pick a route with /route sendmessage first.`,
        {code: 'NO_ROUTE'},
      )
    }

    this.audience = audience
    view.audience?.(audienceLabel(audience))
    view.info(`Plain lines go to ${describeAudience(audience)}. ${this.describeFraming()}.`)
  }
}
