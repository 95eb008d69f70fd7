import {Ansis} from 'ansis'

import type {ReceivedMessage} from '../lib/connect/chat-view.js'
import type {JsonStyle} from '../lib/connect/format.js'
import {terminalText} from '../lib/terminal-text.js'
import {marked} from './notice-marks.js'

/** What `wsapi connect`'s views share: their options, colours, and the notices (Output levels) they print. */

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

export type Colors = InstanceType<typeof Ansis>

export function colorsFor(options: ChatTerminalOptions): Colors {
  const noColor = !options.color || Boolean(process.env.NO_COLOR)
  return noColor ? new Ansis(0) : new Ansis()
}

/** JSON tokens coloured; keys and strings may hold DEL and C1 characters as they are (JSON allows them), so they are escaped too. */
export function jsonStyle(colors: Colors): JsonStyle {
  return {
    key: (text) => colors.cyan(terminalText(text)),
    literal: (text) => colors.magenta(text),
    number: (text) => colors.yellow(text),
    punctuation: (text) => text,
    string: (text) => colors.green(terminalText(text)),
  }
}

/**
 * Notices (the Output levels) with the same marks as the other commands' output; `write` says where
 * they go. They quote the server (close reasons, handshake bodies, the lines sent back with -v), so
 * their text goes through terminalText before it is coloured.
 */
export abstract class Notices {
  constructor(
    protected readonly colors: Colors,
    private readonly verbose: boolean,
  ) {}

  debug(message: string): void {
    if (this.verbose) this.write(this.colors.dim(terminalText(message)))
  }

  error(message: string): void {
    this.write(marked('error', terminalText(message), this.colors))
  }

  info(message: string): void {
    this.write(this.colors.dim(terminalText(message)))
  }

  success(message: string): void {
    this.write(marked('success', terminalText(message), this.colors))
  }

  warn(message: string): void {
    this.write(marked('warn', terminalText(message), this.colors))
  }

  protected abstract write(line: string): void
}

/** Notices on stderr, coloured only when stderr is a terminal (stdout may be a pipe). */
export abstract class StderrNotices extends Notices {
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
