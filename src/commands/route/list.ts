import {resolve} from 'node:path'

import type {RouteListing} from '../../lib/routes/index.js'
import {terminalLine} from '../../lib/terminal-text.js'
import {WsapiCommand} from '../../ui/base-command.js'
import {Flags} from '../../ui/oclif.js'

export default class RouteList extends WsapiCommand {
  static override description =
    'Lists the routes of template.yaml: route → function → handler file → one-way or two-way.'

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'The routes of the project in this folder'},
    {command: '<%= config.bin %> <%= command.id %> --json', description: 'The same, as JSON'},
  ]

  static override flags = {
    dir: Flags.string({char: 'd', default: '.', description: 'Project folder (holding template.yaml).'}),
  }

  static override summary = 'List the routes, their functions and handler files.'

  async run(): Promise<{routes: RouteListing[]}> {
    const {flags} = await this.parse(RouteList)
    const {listRoutes} = await import('../../lib/routes/index.js')
    const routes = listRoutes(resolve(flags.dir))
    // Template text is the user's: shown through terminalLine, in columns.
    const rows = routes.map((route) =>
      [route.key, route.function ?? '-', route.file ?? '-', route.twoWay ? 'two-way' : 'one-way'].map((cell) =>
        terminalLine(cell),
      ),
    )
    const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column].length)))
    for (const row of rows)
      this.out.info(row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]) : cell)).join(' → '))
    return {routes}
  }
}
