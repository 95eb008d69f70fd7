import {CommandHelp, Help} from './oclif.js'

type Command = ConstructorParameters<typeof CommandHelp>[0]
type ListOptions = Parameters<CommandHelp['renderList']>[1]

/**
 * oclif trims the whole FLAGS list, and with it the indent of a first flag that has no short form
 * (`--name` under init), so that it sits left of the rest: put that indent back.
 */
class WsapiCommandHelp extends CommandHelp {
  override renderList(input: Array<[string, string | undefined]>, options: ListOptions): string {
    const output = super.renderList(input, options)
    const indent = /^ +/.exec(input[0]?.[0] ?? '')?.[0]
    // Only when the other rows kept theirs (the two-column layout, not the multi-line one).
    if (indent && output.split('\n').some((line) => line.startsWith(`${indent}-`))) return indent + output
    return output
  }
}

/** oclif's help, with the FLAGS list lined up. Set as `oclif.helpClass` in package.json. */
export default class WsapiHelp extends Help {
  override getCommandHelpClass(command: Command): CommandHelp {
    return new WsapiCommandHelp(command, this.config, this.opts)
  }
}
