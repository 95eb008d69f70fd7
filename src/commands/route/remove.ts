import {resolve} from 'node:path'

import {terminalLine} from '../../lib/terminal-text.js'
import {WsapiCommand} from '../../ui/base-command.js'
import {Args, Flags} from '../../ui/oclif.js'

export default class RouteRemove extends WsapiCommand {
  static override args = {
    name: Args.string({description: 'Route key, as `wsapi route list` shows it.', required: true}),
  }

  static override description = `Takes out of template.yaml what \`wsapi route add\` put in: the route, its route response, integration and permission, and its function, log group and role (unless another route uses the function), and updates the deployment. The handler and its test stay unless --delete-files.

Refuses $connect and $disconnect while a $connect authorizer needs them, and a route whose resources something else in template.yaml refers to.`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> join', description: 'Remove the route, keep src/handlers/join.ts'},
    {
      command: '<%= config.bin %> <%= command.id %> join --delete-files',
      description: 'Remove the route, its handler and its test',
    },
  ]

  static override flags = {
    dir: Flags.string({char: 'd', default: '.', description: 'Project folder (holding template.yaml).'}),
    'delete-files': Flags.boolean({description: 'Also delete the handler and its test.'}),
  }

  static override summary = 'Remove a route from template.yaml.'

  async run(): Promise<{deleted: string[]; key: string; kept: string[]}> {
    const {args, flags} = await this.parse(RouteRemove)
    const dir = resolve(flags.dir)
    const {applyRouteChange, planRouteRemove} = await import('../../lib/routes/index.js')
    const change = planRouteRemove(dir, {deleteFiles: flags['delete-files'], key: args.name})
    applyRouteChange(dir, change)
    this.out.info('  updated  template.yaml')
    for (const file of change.deleted) this.out.info(`  deleted  ${file}`)
    for (const file of change.kept) this.out.info(`  kept     ${file} (--delete-files deletes it)`)
    this.out.success(`Removed route ${terminalLine(args.name)}.`)
    return {deleted: change.deleted, key: change.route.key, kept: change.kept}
  }
}
