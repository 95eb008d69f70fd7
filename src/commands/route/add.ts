import {existsSync} from 'node:fs'
import {join, resolve} from 'node:path'

import type {HandlerStart} from '../../lib/routes/index.js'
import {terminalLine} from '../../lib/terminal-text.js'
import {WsapiCommand} from '../../ui/base-command.js'
import {Args, Flags} from '../../ui/oclif.js'

export interface RouteAddResult {
  file: string
  functionId?: string
  key: string
  start: HandlerStart
  twoWay: boolean
  written: string[]
  kept: string[]
}

export default class RouteAdd extends WsapiCommand {
  static override args = {
    name: Args.string({
      description: 'Route key, e.g. join or chat/join (messages select it through the route selection expression).',
      required: true,
    }),
  }

  static override description = `Adds to template.yaml the route, its integration, the permission for API Gateway to invoke the function (this route only), the function, its log group and a least-privilege role, and updates the deployment; writes src/handlers/<name>.ts and test/<name>.test.ts. The rest of template.yaml (your comments and edits) is kept.

The handler starts as an echo (the data goes back to the sender) unless --broadcast (to every connection, like the routes init writes) or --empty (checks and logs the message). --two-way makes API Gateway send the function's body back to the sender.`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> join', description: 'An echo route'},
    {
      command: '<%= config.bin %> <%= command.id %> chat/post --broadcast',
      description: 'A route that broadcasts to every connection',
    },
    {
      command: '<%= config.bin %> <%= command.id %> whoami --empty --two-way',
      description: 'A two-way route whose reply you write',
    },
  ]

  static override flags = {
    dir: Flags.string({char: 'd', default: '.', description: 'Project folder (holding template.yaml).'}),
    'two-way': Flags.boolean({description: "API Gateway sends the function's body back to the sender."}),
    echo: Flags.boolean({
      description: 'The handler sends the data back to the sender (the default).',
      exclusive: ['broadcast', 'empty'],
    }),
    broadcast: Flags.boolean({
      description: 'The handler broadcasts the data to every connection.',
      exclusive: ['echo', 'empty'],
    }),
    empty: Flags.boolean({
      description: 'The handler checks and logs the message; the rest is yours.',
      exclusive: ['echo', 'broadcast'],
    }),
  }

  static override summary = 'Add a route: template resources, handler and its test.'

  async run(): Promise<RouteAddResult> {
    const {args, flags} = await this.parse(RouteAdd)
    const start: HandlerStart = flags.broadcast ? 'broadcast' : flags.empty ? 'empty' : 'echo'
    const dir = resolve(flags.dir)
    const {applyRouteChange, planRouteAdd} = await import('../../lib/routes/index.js')
    const change = await planRouteAdd(dir, {key: args.name, start, twoWay: flags['two-way'] ?? false})
    const existed = new Set(change.files.filter((file) => existsSync(join(dir, file.path))).map((file) => file.path))
    applyRouteChange(dir, change)
    for (const file of change.files) this.out.info(`  ${existed.has(file.path) ? 'updated' : 'created'}  ${file.path}`)
    for (const file of change.kept) this.out.info(`  kept     ${file} (it was there already)`)
    this.out.success(
      `Added route ${terminalLine(args.name)} (${change.route.twoWay ? 'two-way' : 'one-way'}, ${start}) → ${change.route.functionId} → src/handlers/${change.route.file}.ts.`,
    )
    return {
      file: `src/handlers/${change.route.file}.ts`,
      functionId: change.route.functionId,
      kept: change.kept,
      key: args.name,
      start,
      twoWay: change.route.twoWay,
      written: change.files.map((file) => file.path),
    }
  }
}
