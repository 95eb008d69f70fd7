import {resolve} from 'node:path'

import {awsOptionsFrom} from '../lib/aws/options.js'
import {parseSince} from '../lib/logs/since.js'
import {awsFlags, pollIntervalFromEnv, stackFlags} from '../ui/aws-flags.js'
import {WsapiCommand} from '../ui/base-command.js'
import {Args, Flags} from '../ui/oclif.js'

export default class Logs extends WsapiCommand {
  static override args = {
    function: Args.string({
      description:
        'Functions to show, by short name (sendmessage), logical id (SendmessageFunction) or route key ($connect); all when none is given.',
    }),
  }

  static override description = `Shows the log lines of the project's functions, interleaved in time order, each prefixed by the function's short name. Against the deployed stage: CloudWatch Logs of the stack's functions. Inside a project whose \`wsapi dev\` runs (or ran, and the stage was not deployed from here): dev's invocation log (.wsapi/dev.log); --stage or an AWS flag picks the deployed stage.`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'The last 10 minutes of every function'},
    {
      command: '<%= config.bin %> <%= command.id %> sendmessage --since 2h --filter ERROR',
      description: "One function's errors of the last 2 hours",
    },
    {
      command: '<%= config.bin %> <%= command.id %> --follow',
      description: 'Live: new lines as they come (Ctrl-C stops)',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --stage prod --since 2026-01-31T14:00:00Z --json',
      description: 'NDJSON, one line per log line, for scripts',
    },
  ]

  static override flags = {
    since: Flags.string({
      default: '10m',
      description: 'From when: a duration back from now (30s, 10m, 2h, 1d) or a date and time (ISO 8601).',
    }),
    filter: Flags.string({
      description: 'CloudWatch Logs filter pattern, e.g. ERROR, "timed out", { $.level = "ERROR" }.',
    }),
    follow: Flags.boolean({
      description: 'Keep printing new lines as they come (Live Tail, else polling), until Ctrl-C.',
    }),
    ...stackFlags,
    ...awsFlags,
  }

  static override strict = false

  static override summary = "Show the functions' logs: deployed (CloudWatch Logs) or from wsapi dev."

  override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json)}\n`)
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Logs)
    const since = parseSince(flags.since)
    const json = this.jsonEnabled()
    const {showLogs} = await import('../lib/logs/index.js')
    const {renderLogLine} = await import('../ui/logs-render.js')
    const controller = new AbortController()
    const stop = () => {
      controller.abort()
      // A second Ctrl-C does not wait.
      process.once('SIGINT', () => process.exit(130))
    }

    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      await showLogs({
        aws: awsOptionsFrom(flags),
        deployed:
          flags.stage !== undefined ||
          flags.region !== undefined ||
          flags.profile !== undefined ||
          flags['endpoint-url'] !== undefined,
        dir: resolve(flags.dir),
        filter: flags.filter,
        follow: flags.follow,
        functions: argv as string[],
        onLine: (line) => process.stdout.write(`${json ? JSON.stringify(line) : renderLogLine(line)}\n`),
        output: this.out,
        pollIntervalMs: pollIntervalFromEnv(),
        signal: controller.signal,
        since,
        stage: flags.stage,
      })
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }
}
