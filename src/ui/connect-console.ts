import {clearScreenDown, createInterface, cursorTo, type Interface, moveCursor} from 'node:readline'

import {messageOrigin, originLabel} from '../lib/connect/addressing.js'
import type {ChatInput, ChatView, InputHandlers, ReceivedMessage, SentMessage} from '../lib/connect/chat-view.js'
import {describeBinary, type JsonStyle, layoutJson} from '../lib/connect/format.js'
import {terminalText} from '../lib/terminal-text.js'
import {type ChatTerminalOptions, colorsFor, jsonStyle, Notices} from './connect-notices.js'

/** Prefixes the first line and indents the others by as much, so that a pretty JSON body lines up. */
function prefixed(prefix: string, width: number, text: string): string {
  return prefix + text.replaceAll('\n', '\n' + ' '.repeat(width))
}

/** A prompt (readline with history) that prints incoming messages above the line being typed. */
export class InteractiveConsole extends Notices implements ChatInput, ChatView {
  private interrupt?: () => void
  private readline?: Interface
  private stopped = false
  private prompt: string
  private readonly style: JsonStyle

  constructor(private readonly options: ChatTerminalOptions) {
    super(colorsFor(options), options.verbose)
    this.style = jsonStyle(this.colors)
    this.prompt = this.colors.bold('> ')
  }

  received(message: ReceivedMessage): void {
    if (message.keepaliveReply) return
    const arrow = this.colors.blue('< ')
    if (message.binary) this.print(arrow + this.colors.magenta(describeBinary(message.data)))
    else if (message.error) {
      const id = message.error.requestId ? ` (requestId ${message.error.requestId})` : ''
      this.print(
        arrow +
          this.colors.red(
            terminalText(`✖ API Gateway error frame: ${message.error.message} — ${message.error.hint}${id}`),
          ),
      )
    } else {
      // A room's message (or a direct one) says so before its body: `< [lobby] {…}`.
      const origin = messageOrigin(message.text)
      const label = origin ? `${terminalText(originLabel(origin))} ` : ''
      const lead = arrow + (label ? this.colors.cyan(label) : '')
      if (this.options.raw) this.print(lead + terminalText(message.text))
      else
        this.print(
          prefixed(
            lead,
            2 + label.length,
            layoutJson(message.text, {indent: 2, style: this.style}) ?? terminalText(message.text),
          ),
        )
    }
  }

  audience(label: string | undefined): void {
    this.prompt = this.colors.bold(label ? `${terminalText(label)}> ` : '> ')
    this.readline?.setPrompt(this.prompt)
  }

  sent(message: SentMessage): void {
    if (!message.keepalive) this.debug(`> ${message.text}`)
  }

  start(handlers: InputHandlers): void {
    const readline = createInterface({
      history: [...this.options.history].reverse(),
      historySize: Math.max(this.options.history.length, 500),
      input: process.stdin,
      output: process.stdout,
      prompt: this.prompt,
      removeHistoryDuplicates: true,
      terminal: true,
    })
    this.readline = readline
    readline.on('line', (line) => {
      handlers.line(line)
      if (!this.stopped) readline.prompt()
    })
    readline.on('SIGINT', () => handlers.interrupt())
    readline.on('close', () => {
      if (!this.stopped) handlers.end()
    })
    process.once('SIGTERM', handlers.interrupt)
    this.interrupt = handlers.interrupt
    readline.prompt()
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    if (this.interrupt) process.off('SIGTERM', this.interrupt)
    if (!this.readline) return
    // Text typed but not sent stays on the screen (it may be worth copying); an empty prompt goes.
    if (this.readline.line === '') this.clearInput()
    else {
      // Redraw with the cursor at the end of the text, then leave the line.
      ;(this.readline as unknown as {cursor: number}).cursor = this.readline.line.length
      this.readline.prompt(true)
      process.stdout.write('\n')
    }
    this.readline.close()
    process.stdin.pause()
  }

  protected write(line: string): void {
    this.print(line)
  }

  /** Moves to where the prompt starts and erases the prompt and the typed text (which may wrap). */
  private clearInput(): void {
    const rows = this.readline!.getCursorPos().rows
    if (rows > 0) moveCursor(process.stdout, 0, -rows)
    cursorTo(process.stdout, 0)
    clearScreenDown(process.stdout)
  }

  /**
   * Prints above the prompt: erase the prompt and the typed text, print, draw them again with the
   * cursor where it was (wscat's Console does the same for one row; this also handles wrapped input).
   */
  private print(text: string): void {
    if (!this.readline || this.stopped) {
      process.stdout.write(`${text}\n`)
      return
    }

    this.clearInput()
    process.stdout.write(`${text}\n`)
    // readline moves up by the rows of its last drawing before it redraws; the prompt now starts on this row.
    ;(this.readline as unknown as {prevRows: number}).prevRows = 0
    this.readline.prompt(true)
  }
}
