import type {ConnectionRow} from '../../lib/connections/index.js'
import {terminalLine} from '../../lib/terminal-text.js'
import {WsapiCommand} from '../../ui/base-command.js'
import {connectionsFlags, connectionsTargetOf} from '../../ui/connections-flags.js'
import {colors, table} from '../../ui/output.js'

export interface ConnectionsListResult {
  connections: ConnectionRow[]
  source: 'deployed' | 'dev'
  target: string
}

export default class Connections extends WsapiCommand {
  static override description = `Lists the open connections of the project's running \`wsapi dev\`, or of the deployed stage (--stage or an AWS flag, or when no dev server runs): the items of the connections table, with when each connected, its principal when the handlers store one, and its rooms (from the memberships table of \`wsapi init --rooms\`). \`connections post\` and \`connections drop\` act on one through @connections.`

  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %>',
      description: 'Connections of the running wsapi dev (else of the deployed stage)',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --stage prod --json',
      description: 'Connections of stage prod, as JSON',
    },
  ]

  static override flags = connectionsFlags

  static override summary = 'List open connections (wsapi dev or the deployed stage).'

  async run(): Promise<ConnectionsListResult> {
    const {flags} = await this.parse(Connections)
    const {listConnections} = await import('../../lib/connections/index.js')
    const target = await connectionsTargetOf(flags, this.out)
    const connections = await listConnections(target)
    if (!this.jsonEnabled()) {
      if (connections.length === 0) {
        this.out.info(`No open connections on ${target.label}.`)
      } else {
        const principals = connections.some((row) => row.principal !== undefined)
        const rooms = connections.some((row) => row.rooms !== undefined)
        const header = ['Connection', 'Connected at', ...(principals ? ['Principal'] : []), ...(rooms ? ['Rooms'] : [])]
        const rows = connections.map((row) => [
          terminalLine(row.connectionId),
          row.connectedAt ? row.connectedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : colors.dim('-'),
          ...(principals ? [row.principal === undefined ? colors.dim('-') : terminalLine(row.principal)] : []),
          ...(rooms
            ? [row.rooms === undefined || row.rooms.length === 0 ? colors.dim('-') : terminalLine(row.rooms.join(', '))]
            : []),
        ])
        this.out.info(table(rows, {header}))
        this.out.info(
          colors.dim(`${connections.length} connection${connections.length === 1 ? '' : 's'} on ${target.label}`),
        )
      }
    }

    return {connections, source: target.source, target: target.label}
  }
}
