import type {ChatInput, ChatView} from '../lib/connect/chat-view.js'
import {InteractiveConsole} from './connect-console.js'
import type {ChatTerminalOptions} from './connect-notices.js'
import {JsonLinesView, ScriptView, StdinLines} from './connect-script.js'

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

export type {ChatTerminalOptions} from './connect-notices.js'

/** The view and input for a run: interactive console, or script/NDJSON output with stdin lines. */
export function chatTerminal(options: ChatTerminalOptions): {input: ChatInput; view: ChatView} {
  if (options.interactive) {
    const console = new InteractiveConsole(options)
    return {input: console, view: console}
  }

  return {
    input: new StdinLines(options.readStdin),
    view: options.json ? new JsonLinesView(options) : new ScriptView(options),
  }
}
