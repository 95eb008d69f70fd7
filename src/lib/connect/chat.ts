import {WsapiError} from '../errors.js'
import {describeClose} from '../apigw/close-codes.js'
import {apiGatewayError} from '../apigw/error-frames.js'
import {displayUrl} from '../client/url.js'
import {ChatActions} from './chat-actions.js'
import type {ChatPlan} from './chat-plan.js'
import {
  type ChatInput,
  type ChatView,
  openedNotice,
  progressText,
  quitNotice,
  type ReceivedMessage,
  retryNotice,
} from './chat-view.js'
import {explainClose, isNormalClose, sizeWarning, withSourceHint} from './explain.js'
import type {LineHistory} from './history.js'
import {KeepaliveReplies} from './keepalive.js'
import {ReplyGate} from './reply-gate.js'
import {type EndInfo, type OpenInfo, Session, type SessionEvent} from './session.js'
import {type InputAction, parseInput} from './slash.js'

/**
 * `wsapi connect` without the terminal: turns input lines into frames, runs the session, counts,
 * waits and times out, and decides how the run ends. The terminal side (src/ui) supplies a ChatView
 * (how things look) and a ChatInput (where lines come from).
 */

export interface ChatResult {
  /** True when this side closed (a quit, /close, the end of a script). */
  byUser: boolean
  closeCode: number
  closeReason: string
  connections: number
  received: number
  sent: number
  url: string
}

/** One run of the client; `run` settles once, with the result or the error that ends it. */
export class Chat {
  private readonly actions: ChatActions
  private readonly done: Promise<ChatResult>
  private ending = false
  /** Scripts: lines after /join and /leave wait for the reply; the end of input waits for them. */
  private readonly gate = new ReplyGate(
    (action) => {
      if (!this.ending) this.performOrSay(action)
    },
    () => {
      if (this.inputEndedBehindGate) this.inputEnded()
    },
  )
  private inputEndedBehindGate = false
  private readonly keepaliveReplies: KeepaliveReplies
  private opened?: OpenInfo
  private received = 0
  private reject!: (error: Error) => void
  private resolve!: (result: ChatResult) => void
  private sent = 0
  private readonly session: Session
  private readonly timers: NodeJS.Timeout[] = []

  constructor(
    private readonly plan: ChatPlan,
    private readonly view: ChatView,
    private readonly input?: ChatInput,
    private readonly history?: LineHistory,
  ) {
    this.keepaliveReplies = new KeepaliveReplies(plan.keepaliveReplyWindowMs)
    this.actions = new ChatActions({
      awaitReply: (answered, timedOut) => this.gate.await(answered, timedOut),
      history,
      ping: (data) => this.session.ping(data),
      plan,
      quit: (code, reason) => this.quit(code, reason),
      transmit: (text) => this.transmit(text),
      view,
    })
    this.session = new Session(plan.session, (event) => this.onSessionEvent(event))
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
    // run() hands `done` out only once connected; an earlier failure must not count as unhandled.
    this.done.catch(() => {})
  }

  async run(): Promise<ChatResult> {
    if (this.plan.target.notice) this.view.info(this.plan.target.notice)
    for (const warning of this.plan.warnings) this.view.warn(warning)
    if (this.plan.timeoutMs !== undefined) {
      this.timers.push(
        setTimeout(
          () =>
            this.fail(
              new WsapiError(`Timed out after ${this.plan.timeoutMs! / 1000} s${this.progress()}.`, {code: 'TIMEOUT'}),
            ),
          this.plan.timeoutMs,
        ),
      )
    }

    try {
      await this.session.start()
    } catch (error) {
      // A --timeout that fired during the handshake has already settled the run.
      if (this.ending) return this.done
      this.clearTimers()
      throw withSourceHint(error as WsapiError, this.plan.target.source)
    }

    if (this.ending) return this.done
    // With -x the input reads no lines (and never ends) but still turns Ctrl-C and SIGTERM into a quit.
    this.input?.start({
      end: () => (this.plan.interactive ? this.quit() : this.inputEnded()),
      interrupt: () => this.quit(),
      line: (text) => this.onLine(text),
    })
    for (const action of this.plan.execute) this.submit(action)
    if (this.plan.execute.length > 0 || !this.input) this.inputEnded()
    return this.done
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer)
  }

  /** Ends the run: stops input and timers, closes the connection, then settles with the error or result. */
  private async end(
    outcome: {error: Error} | {result: (info: EndInfo) => ChatResult},
    close: {code: number; reason: string} = {code: 1000, reason: ''},
  ): Promise<void> {
    if (this.ending) return
    this.ending = true
    this.clearTimers()
    this.gate.stop()
    this.input?.stop()
    const info = await this.session.close(close.code, close.reason)
    if ('error' in outcome) this.reject(outcome.error)
    else this.resolve(outcome.result(info))
  }

  private fail(error: Error): void {
    void this.end({error})
  }

  private inputEnded(): void {
    if (this.plan.interactive) return
    // --wait counts from the last line sent, not from one still held behind a /join.
    this.inputEndedBehindGate = !this.gate.open
    if (this.inputEndedBehindGate) return
    if (this.plan.waitMs === undefined) return
    this.timers.push(
      setTimeout(() => {
        if (this.plan.count !== undefined && this.received < this.plan.count) {
          this.fail(
            new WsapiError(`Waited ${this.plan.waitMs! / 1000} s after the last line${this.progress()}.`, {
              code: 'COUNT_NOT_REACHED',
            }),
          )
        } else {
          this.quit()
        }
      }, this.plan.waitMs),
    )
  }

  private onEnd(info: EndInfo): void {
    if (this.ending) return
    this.ending = true
    this.clearTimers()
    this.input?.stop()
    if (info.error) {
      this.reject(info.error)
      return
    }

    if (info.protocolError) {
      this.reject(
        new WsapiError(
          `Closed the connection with ${info.protocolError.code}: ${info.protocolError.text}${this.progress()}.`,
          {code: 'PROTOCOL_ERROR'},
        ),
      )
      return
    }

    void explainClose(info, this.plan.target.source, this.plan.session.url).then((how) => this.settleEnd(info, how))
  }

  private settleEnd(info: EndInfo, how: string): void {
    if (!isNormalClose(info.code)) {
      this.reject(
        new WsapiError(`The server closed the connection: ${how}${this.progress()}.`, {code: 'ABNORMAL_CLOSE'}),
      )
      return
    }

    if (this.plan.count !== undefined && this.received < this.plan.count) {
      this.reject(
        new WsapiError(`The server closed the connection (${how})${this.progress()}.`, {code: 'COUNT_NOT_REACHED'}),
      )
      return
    }

    this.view.info(`Disconnected by the server: ${how}`)
    this.resolve(this.result(info))
  }

  private onLine(text: string): void {
    if (this.ending) return
    let action: InputAction
    try {
      action = parseInput(text)
    } catch (error) {
      if (!WsapiError.is(error)) throw error
      action = {kind: 'empty'}
      this.view.error(error.message)
    }

    this.submit(action)

    // After performing it, so that /history lists what came before.
    if (this.plan.interactive) this.history?.add(text)
  }

  private onMessage(binary: boolean, data: Buffer): void {
    if (this.ending) return
    const text = binary ? '' : data.toString('utf8')
    const message: ReceivedMessage = {
      binary,
      data,
      error: binary
        ? undefined
        : apiGatewayError(text, {integrationTimeoutMs: this.plan.target.dev?.integrationTimeoutMs}),
      text,
      time: new Date(),
    }
    if (this.keepaliveReplies.claim(message)) {
      this.view.received({...message, keepaliveReply: true})
      this.view.debug(`(hid the reply to the keepalive frame: ${text})`)
      return
    }

    this.received++
    this.view.received(message)
    if (this.plan.count !== undefined && this.received >= this.plan.count) this.quit()
    else if (!binary) this.gate.received(text)
  }

  private onSessionEvent(event: SessionEvent): void {
    switch (event.type) {
      case 'end': {
        if (!event.byUser) this.onEnd(event)
        break
      }

      case 'keepalive': {
        this.keepaliveReplies.expect()
        this.view.sent({keepalive: true, text: event.text, time: new Date()})
        this.view.debug(`keepalive frame sent: ${event.text}`)
        break
      }

      case 'message': {
        this.onMessage(event.binary, event.data)
        break
      }

      case 'open': {
        this.opened = event
        this.announce(event)
        break
      }

      case 'retry': {
        const say = (why: string) => this.view.warn(retryNotice(why, event.delayMs, event.attempt))
        if (event.error) say(event.error.message)
        else if (event.code === 1001 && this.plan.target.source === 'dev')
          void explainClose(
            {code: 1001, reason: event.reason ?? ''},
            this.plan.target.source,
            this.plan.session.url,
            true,
          ).then((how) => say(`the connection closed: ${how}`))
        else say(`the connection closed: ${describeClose(event.code ?? 1006, event.reason ?? '')}`)
        break
      }
    }
  }

  private announce(info: OpenInfo): void {
    this.view.success(openedNotice(info, this.plan.target.source))
    if (info.connection !== 1) return
    const describe = this.describeFraming()
    if (this.plan.interactive) this.view.info(`${describe}. /help for commands, Ctrl-D to quit.`)
    else this.view.debug(describe)
  }

  /** In a terminal the action is performed at once; in a script it may wait behind a /join or /leave (reply-gate.ts). */
  private submit(action: InputAction): void {
    if (this.plan.interactive) this.performOrSay(action)
    else this.gate.submit(action)
  }

  /** Performs an action; one that cannot be done (a /room without a route) is a one-line error, and the run goes on. */
  private performOrSay(action: InputAction): void {
    try {
      this.actions.perform(action)
    } catch (error) {
      if (!WsapiError.is(error)) throw error
      this.view.error(error.message)
    }
  }

  private describeFraming(): string {
    return this.actions.describeFraming()
  }

  private progress(): string {
    return progressText(this.plan.count, this.received)
  }

  private quit(code = 1000, reason = ''): void {
    const result = (info: EndInfo) => {
      this.view.info(quitNotice(info))
      return this.result(info)
    }

    void this.end({result}, {code, reason})
  }

  private result(info: EndInfo): ChatResult {
    return {
      byUser: info.byUser,
      closeCode: info.code,
      closeReason: info.reason,
      connections: this.opened?.connection ?? 0,
      received: this.received,
      sent: this.sent,
      url: displayUrl(this.plan.session.url),
    }
  }

  private transmit(text: string): void {
    const warning = sizeWarning(Buffer.byteLength(text))
    if (warning) this.view.warn(warning)
    const sent = this.session.send(text)
    this.sent++
    this.view.sent({text, time: new Date()})
    if (sent.queued) this.view.warn('Not connected: the message will be sent when the connection is back.')
  }
}

/** Runs `wsapi connect`: resolves when the run ends well (exit 0), rejects with a WsapiError otherwise. */
export function runChat(plan: ChatPlan, view: ChatView, input?: ChatInput, history?: LineHistory): Promise<ChatResult> {
  return new Chat(plan, view, input, history).run()
}
