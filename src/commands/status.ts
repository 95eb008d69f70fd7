import {resolve} from 'node:path'

import {awsOptionsFrom} from '../lib/aws/options.js'
import type {StatusResult} from '../lib/deploy/status.js'
import {terminalLine} from '../lib/terminal-text.js'
import {awsFlags, stackFlags} from '../ui/aws-flags.js'
import {WsapiCommand} from '../ui/base-command.js'
import {renderFailures, renderOutputs, timeAgo} from '../ui/deploy-render.js'
import {colors, table} from '../ui/output.js'
import {colorStatus} from '../ui/stack-activity.js'

export default class Status extends WsapiCommand {
  static override description = `Shows the stack <project>-<stage>: its status, when it last changed, its outputs, how many resources it has (by status and type), and, after a failure, which resources failed and why. A stack that is not deployed is reported as such (exit 0; "deployed": false with --json).`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Status of stage v1'},
    {command: '<%= config.bin %> <%= command.id %> --stage prod --json', description: 'The same as JSON, for scripts'},
  ]

  static override flags = {
    ...stackFlags,
    ...awsFlags,
  }

  static override summary = 'Show the deployed stack: status, last update, outputs, resources.'

  async run(): Promise<StatusResult> {
    const {flags} = await this.parse(Status)
    const {stackStatus} = await import('../lib/deploy/index.js')
    const result = await stackStatus({
      aws: {...awsOptionsFrom(flags), onWarning: (message) => this.out.warn(message)},
      dir: resolve(flags.dir),
      stage: flags.stage,
    })
    if (!result.deployed) {
      this.out.info(
        result.deployedIn
          ? `${result.stackName} is not deployed in ${result.region}, but this project deployed it to ${result.deployedIn}: pass --region ${result.deployedIn}.`
          : `${result.stackName} is not deployed in ${result.region}: run \`${this.config.bin} deploy${flags.stage ? ` --stage ${flags.stage}` : ''}\` to create it.`,
      )
      return result
    }

    const rows = [
      ['Stack', colors.bold(result.stackName)],
      [
        'Status',
        `${colorStatus(terminalLine(result.status))}${result.statusReason ? colors.dim(`  ${terminalLine(result.statusReason)}`) : ''}`,
      ],
      ['Region', result.region],
      [
        'Last update',
        result.lastUpdatedAt
          ? `${result.lastUpdatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} (${timeAgo(result.lastUpdatedAt)})`
          : '-',
      ],
      [
        'Resources',
        `${result.resources.total}${
          result.resources.total > 0
            ? `: ${Object.entries(result.resources.byStatus)
                .map(([status, count]) => `${count} ${colorStatus(status)}`)
                .join(', ')}`
            : ''
        }`,
      ],
    ]
    this.out.info(table(rows))
    if (result.resources.total > 0) {
      this.out.info(
        table(
          Object.entries(result.resources.byType).map(([type, count]) => [
            `  ${String(count).padStart(3)}`,
            colors.dim(type),
          ]),
        ),
      )
    }

    if (Object.keys(result.outputs).length > 0) this.out.info(renderOutputs(result.outputs))
    if (result.problems.length > 0) {
      this.out.warn('The last operation failed on:')
      this.out.info(renderFailures(result.problems))
    }

    return result
  }
}
