import {terminalLine} from '../../lib/terminal-text.js'
import {WsapiCommand} from '../../ui/base-command.js'
import {connectionsFlags, connectionsTargetOf} from '../../ui/connections-flags.js'
import {Args} from '../../ui/oclif.js'

export default class ConnectionsDrop extends WsapiCommand {
  static override args = {
    id: Args.string({description: 'Connection id, as `wsapi connections` lists it.', required: true}),
  }

  static override description =
    'Closes one connection through @connections (DeleteConnection): API Gateway closes it and runs $disconnect. On the running `wsapi dev`, or on the deployed stage (--stage or an AWS flag, or when no dev server runs). A connection that has gone away is reported as such (exit 1).'

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> L0SM9cOFvHcCIhw=', description: 'Close one connection'},
  ]

  static override flags = connectionsFlags

  static override summary = 'Close a connection through @connections.'

  async run(): Promise<{connectionId: string; dropped: true}> {
    const {args, flags} = await this.parse(ConnectionsDrop)
    const {dropConnection} = await import('../../lib/connections/index.js')
    const target = await connectionsTargetOf(flags, this.out)
    await dropConnection(target, args.id)
    this.out.success(`Closed ${terminalLine(args.id)} (${target.label}).`)
    return {connectionId: args.id, dropped: true}
  }
}
