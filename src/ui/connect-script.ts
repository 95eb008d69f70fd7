import {createInterface, type Interface} from 'node:readline'

import type {ChatInput, ChatView, InputHandlers, ReceivedMessage, SentMessage} from '../lib/connect/chat-view.js'
import {oneLine} from '../lib/connect/format.js'
import {terminalText} from '../lib/terminal-text.js'
import {type ChatTerminalOptions, StderrNotices} from './connect-notices.js'

const DEL_AND_C1 = /[\u007F-\u009F]/g

/**
 * Scripts: each received message on one stdout line, notices on stderr. To a pipe or a file the line
 * is the data as received (JSON compacted, line breaks as \n; --raw: the bytes themselves); to a
 * terminal (`wsapi connect -x hi` typed at a prompt) a person reads it, so its controls are escaped.
 */
export class ScriptView extends StderrNotices implements ChatView {
  private readonly terminal = Boolean(process.stdout.isTTY)

  constructor(private readonly options: ChatTerminalOptions) {
    super(options)
  }

  received(message: ReceivedMessage): void {
    if (message.keepaliveReply) return
    this.flagError(message)
    if (this.terminal) {
      const text = message.binary
        ? message.data.toString('base64')
        : this.options.raw
          ? message.text
          : oneLine(message.text)
      process.stdout.write(`${terminalText(text)}\n`)
    } else if (this.options.raw) process.stdout.write(Buffer.concat([message.data, Buffer.from('\n')]))
    else process.stdout.write(`${message.binary ? message.data.toString('base64') : oneLine(message.text)}\n`)
  }

  sent(message: SentMessage): void {
    this.debug(`> ${message.text}`)
  }
}

/** --json: one NDJSON record per message, either way, written as it passes: {time, direction, data}. */
export class JsonLinesView extends StderrNotices implements ChatView {
  received(message: ReceivedMessage): void {
    if (!message.keepaliveReply) this.flagError(message)
    this.record({
      data: message.binary ? message.data.toString('base64') : message.text,
      direction: 'in',
      time: message.time,
      ...(message.binary && {binary: true}),
      ...(message.error && {error: message.error.message}),
      ...(message.keepaliveReply && {keepalive: true}),
    })
  }

  sent(message: SentMessage): void {
    this.record({data: message.text, direction: 'out', time: message.time, ...(message.keepalive && {keepalive: true})})
  }

  private record({
    data,
    direction,
    time,
    ...extra
  }: {data: string; direction: 'in' | 'out'; time: Date} & Record<string, unknown>): void {
    // JSON.stringify escapes C0 controls but writes DEL and C1 as they are: \u escapes are the same JSON, safe on a terminal.
    const json = JSON.stringify({time: time.toISOString(), direction, data, ...extra}).replaceAll(
      DEL_AND_C1,
      (char) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`,
    )
    process.stdout.write(`${json}\n`)
  }
}

/** Lines from a non-TTY stdin (a pipe, a file) unless -x gave them; SIGINT/SIGTERM end the run like a quit. */
export class StdinLines implements ChatInput {
  private interrupt?: () => void
  private readline?: Interface
  private stopped = false

  constructor(private readonly readStdin: boolean) {}

  start(handlers: InputHandlers): void {
    this.interrupt = handlers.interrupt
    process.once('SIGINT', handlers.interrupt)
    process.once('SIGTERM', handlers.interrupt)
    // A reader that went away (`| head -1`) ends the run like a quit, not with an EPIPE stack trace.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') handlers.interrupt()
      else throw error
    })
    if (!this.readStdin) return
    this.readline = createInterface({crlfDelay: Number.POSITIVE_INFINITY, input: process.stdin, terminal: false})
    this.readline.on('line', (line) => handlers.line(line))
    this.readline.on('close', () => {
      if (!this.stopped) handlers.end()
    })
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    if (this.interrupt) {
      process.off('SIGINT', this.interrupt)
      process.off('SIGTERM', this.interrupt)
    }

    if (!this.readline) return
    this.readline.close()
    // A pipe that never ends (a parent that keeps it open) must not hold the process.
    process.stdin.destroy()
  }
}
