import {Command, Errors, Flags} from '@oclif/core'

import {WsapiError} from '../lib/errors.js'
import type {Output} from '../lib/output.js'
import {terminalOutput} from './output.js'

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
    this.cachedOutput ??= terminalOutput({debug: this.argv.includes('--verbose') || Boolean(process.env.WSAPI_DEBUG), json: this.jsonEnabled()})
    return this.cachedOutput
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (WsapiError.is(error)) {
      process.exitCode = error.exit
      if (this.jsonEnabled()) {
        this.logJson({error: {code: error.code, exit: error.exit, message: error.message}})
        return
      }

      throw new Errors.CLIError(error.message, {exit: error.exit})
    }

    return super.catch(error)
  }
}
