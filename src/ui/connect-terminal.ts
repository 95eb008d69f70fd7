import {clearScreenDown, createInterface, cursorTo, type Interface, moveCursor} from 'node:readline'

import {Ansis} from 'ansis'

import type {ChatInput, ChatView, InputHandlers, ReceivedMessage, SentMessage} from '../lib/connect/chat.js'
import {describeBinary, type JsonStyle, layoutJson, oneLine} from '../lib/connect/format.js'
import {terminalText} from '../lib/terminal-text.js'

/**
 * The terminal side of `wsapi connect`: a prompt that incoming messages never garble (interactive),
 * one line per message on stdout (scripts), or NDJSON records (--json). Notices go to stderr except
 * in the interactive console, where everything shares the screen.
 *
 * What the server sends is shown through terminalText wherever a person reads it (the console, the
 * notices, a script's stdout when it is a terminal): its control characters become visible escapes
 * instead of retitling the terminal or clearing the screen. A script's stdout that is a pipe or a file
 * gets the data as received, as `cat` would; --json escapes as JSON does.
 */

export interface ChatTerminalOptions {
  /** --color (default) / --no-color; NO_COLOR is honoured too. */
  color: boolean
  /** Lines typed to this URL before, oldest first (up/down arrows). */
  history: string[]
  interactive: boolean
  json: boolean
  raw: boolean
  /** Read lines from stdin (not with -x: its lines are the input). */
  readStdin: boolean
  verbose: boolean
}

type Colors = InstanceType<typeof Ansis>

function colorsFor(options: ChatTerminalOptions): Colors {
  const noColor = !options.color || Boolean(process.env.NO_COLOR)
  return noColor ? new Ansis(0) : new Ansis()
}

/** JSON tokens coloured; keys and strings may hold DEL and C1 characters as they are (JSON allows them), so they are escaped too. */
function jsonStyle(colors: Colors): JsonStyle {
  return {
    key: (text) => colors.cyan(terminalText(text)),
    literal: (text) => colors.magenta(text),
    number: (text) => colors.yellow(text),
    punctuation: (text) => text,
    string: (text) => colors.green(terminalText(text)),
  }
}

const DEL_AND_C1 = /[\u007F-\u009F]/g

/** Prefixes the first line and indents the others by as much, so that a pretty JSON body lines up. */
function prefixed(prefix: string, width: number, text: string): string {
  return prefix + text.replaceAll('\n', '\n' + ' '.repeat(width))
}

/**
 * Notices (the Output levels) with the same marks as the other commands' output; `write` says where
 * they go. They quote the server (close reasons, handshake bodies, the lines sent back with -v), so
 * their text goes through terminalText before it is coloured.
 */
abstract class Notices {
  constructor(
    protected readonly colors: Colors,
    private readonly verbose: boolean,
  ) {}

  debug(message: string): void {
    if (this.verbose) this.write(this.colors.dim(terminalText(message)))
  }

  error(message: string): void {
    this.write(`${this.colors.red('✖')} ${terminalText(message)}`)
  }

  info(message: string): void {
    this.write(this.colors.dim(terminalText(message)))
  }

  success(message: string): void {
    this.write(`${this.colors.green('✔')} ${terminalText(message)}`)
  }

  warn(message: string): void {
    this.write(`${this.colors.yellow('!')} ${terminalText(message)}`)
  }

  protected abstract write(line: string): void
}

/** Notices on stderr, coloured only when stderr is a terminal (stdout may be a pipe). */
abstract class StderrNotices extends Notices {
  constructor(options: ChatTerminalOptions) {
    super(colorsFor({...options, color: options.color && Boolean(process.stderr.isTTY)}), options.verbose)
  }

  /** API Gateway's error frames are data on stdout and a warning on stderr, so a script's log shows them. */
  protected flagError(message: ReceivedMessage): void {
    if (message.error) this.warn(`API Gateway error frame: ${message.error.message} — ${message.error.hint}`)
  }

  protected write(line: string): void {
    process.stderr.write(`${line}\n`)
  }
}

/** A prompt (readline with history) that prints incoming messages above the line being typed. */
export class InteractiveConsole extends Notices implements ChatInput, ChatView {
  private interrupt?: () => void
  private readline?: Interface
  private stopped = false
  private readonly style: JsonStyle

  constructor(private readonly options: ChatTerminalOptions) {
    super(colorsFor(options), options.verbose)
    this.style = jsonStyle(this.colors)
  }

  received(message: ReceivedMessage): void {
    if (message.keepaliveReply) return
    const arrow = this.colors.blue('< ')
    if (message.binary) this.print(arrow + this.colors.magenta(describeBinary(message.data)))
    else if (message.error) {
      const id = message.error.requestId ? ` (requestId ${message.error.requestId})` : ''
      this.print(arrow + this.colors.red(terminalText(`✖ API Gateway error frame: ${message.error.message} — ${message.error.hint}${id}`)))
    } else if (this.options.raw) this.print(arrow + terminalText(message.text))
    else this.print(prefixed(arrow, 2, layoutJson(message.text, {indent: 2, style: this.style}) ?? terminalText(message.text)))
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
      prompt: this.colors.bold('> '),
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
      const text = message.binary ? message.data.toString('base64') : this.options.raw ? message.text : oneLine(message.text)
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

  private record({data, direction, time, ...extra}: {data: string; direction: 'in' | 'out'; time: Date} & Record<string, unknown>): void {
    // JSON.stringify escapes C0 controls but writes DEL and C1 as they are: \u escapes are the same JSON, safe on a terminal.
    const json = JSON.stringify({time: time.toISOString(), direction, data, ...extra}).replaceAll(DEL_AND_C1, (char) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`)
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

/** The view and input for a run: interactive console, or script/NDJSON output with stdin lines. */
export function chatTerminal(options: ChatTerminalOptions): {input: ChatInput; view: ChatView} {
  if (options.interactive) {
    const console = new InteractiveConsole(options)
    return {input: console, view: console}
  }

  return {input: new StdinLines(options.readStdin), view: options.json ? new JsonLinesView(options) : new ScriptView(options)}
}
