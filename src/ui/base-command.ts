import {Command, Flags} from './oclif.js'

import {ExitCode, WsapiError} from '../lib/errors.js'
import type {Output} from '../lib/output.js'
import {terminalText} from '../lib/terminal-text.js'
import {colors, terminalOutput} from './output.js'

/**
 * What every wsapi command shares: `--json`, `--verbose`, an Output for the library, and errors that
 * print one line and exit with the code the README documents (0 ok, 1 failure, 2 usage).
 */
export abstract class WsapiCommand extends Command {
  static override baseFlags = {
    verbose: Flags.boolean({description: 'Print debug output.', helpGroup: 'GLOBAL'}),
  }

  static override enableJsonFlag = true

  private cachedOutput?: Output

  protected get out(): Output {
    this.cachedOutput ??= terminalOutput({
      debug: this.argv.includes('--verbose') || Boolean(process.env.WSAPI_DEBUG),
      json: this.jsonEnabled(),
    })
    return this.cachedOutput
  }

  protected override async catch(
    error: Error & {code?: string; exitCode?: number; oclif?: {exit?: number}},
  ): Promise<unknown> {
    // ExitError (this.exit) carries its own code and prints nothing.
    const exit = error.code === 'EEXIT' ? undefined : WsapiError.is(error) ? error.exit : error.oclif?.exit
    if (exit === undefined) return super.catch(error)
    process.exitCode = exit
    if (this.jsonEnabled()) {
      this.logJson({error: {code: WsapiError.is(error) ? error.code : 'USAGE', exit, message: oneLine(error.message)}})
      return
    }

    // Ctrl-C is the user's choice, not an error: say what happened and stop with 130, as shells expect.
    if (exit === ExitCode.interrupted) {
      process.stderr.write(`${colors.yellow('!')} ${oneLine(error.message)}\n`)
      this.exit(exit)
    }

    // One unwrapped line (oclif would wrap and prefix it), so that scripts and people read the same text.
    // Messages quote others (a refused handshake's body, a close reason, AWS's words): their controls are shown, not obeyed.
    process.stderr.write(`${colors.red('Error:')} ${terminalText(oneLine(error.message))}\n`)
    // oclif exits at once: what is still queued for a slow pipe (a message received just before the error) would be lost.
    if (process.stdout.writableLength > 0) await new Promise((resolve) => process.stdout.write('', resolve))
    this.exit(exit)
  }
}

/** oclif's flag errors span lines ("Parsing --x \n\t<why>\nSee more help with --help"): one line, naming the flag. */
export function oneLine(message: string): string {
  return message
    .replace(/\nSee more help with --help$/, ' (see --help)')
    .replace(/^Parsing (--[\w-]+) \n\t/, 'Invalid $1: ')
}
