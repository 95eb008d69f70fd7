import {terminalLine} from '../../lib/terminal-text.js'
import {WsapiCommand} from '../../ui/base-command.js'
import {connectionsFlags, connectionsTargetOf} from '../../ui/connections-flags.js'
import {Args} from '../../ui/oclif.js'

export default class ConnectionsPost extends WsapiCommand {
  static override args = {
    id: Args.string({description: 'Connection id, as `wsapi connections` lists it.', required: true}),
    data: Args.string({description: 'What to send (text as is); - reads it from standard input.', required: true}),
  }

  static override description =
    'Sends DATA to one connection through @connections (PostToConnection), as a handler would: to the running `wsapi dev`, or to the deployed stage (--stage or an AWS flag, or when no dev server runs). A connection that has gone away is reported as such (exit 1).'

  static override examples = [
    {
      command: `<%= config.bin %> <%= command.id %> L0SM9cOFvHcCIhw= '{"message":"hello"}'`,
      description: 'Send a JSON message to one connection',
    },
    {
      command: 'echo hi | <%= config.bin %> <%= command.id %> L0SM9cOFvHcCIhw= - --stage prod',
      description: 'Send standard input to a connection of stage prod',
    },
  ]

  static override flags = connectionsFlags

  static override summary = 'Send data to a connection through @connections.'

  async run(): Promise<{bytes: number; connectionId: string; sent: true}> {
    const {args, flags} = await this.parse(ConnectionsPost)
    const data = args.data === '-' ? await readStdin() : Buffer.from(args.data, 'utf8')
    const {postToConnection} = await import('../../lib/connections/index.js')
    const target = await connectionsTargetOf(flags, this.out)
    await postToConnection(target, args.id, data)
    this.out.success(
      `Sent ${data.length} byte${data.length === 1 ? '' : 's'} to ${terminalLine(args.id)} (${target.label}).`,
    )
    return {bytes: data.length, connectionId: args.id, sent: true}
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
