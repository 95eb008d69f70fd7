import {resolve} from 'node:path'

import {
  APIGW_CONNECT_RATE_QUOTA,
  type BenchResult,
  benchRouting,
  EXPECTATIONS,
  type Expectation,
  runBench,
} from '../lib/bench/index.js'
import {parseHeaderFlags} from '../lib/client/headers.js'
import {presignTarget} from '../lib/client/sigv4.js'
import {tokenTransport} from '../lib/client/token.js'
import {resolveTarget} from '../lib/client/target.js'
import {WsapiError} from '../lib/errors.js'
import {readSecretFromStdin, resolveTokenInput} from '../lib/secret-input.js'
import {clientAuthFlags} from '../ui/aws-flags.js'
import {WsapiCommand} from '../ui/base-command.js'
import {durationFlagWithDefault, MILLISECONDS, SECONDS} from '../ui/duration-flag.js'
import {Args, Flags} from '../ui/oclif.js'
import {progressLine, renderBenchSummary} from '../ui/bench-report.js'
import {progressBar} from '../ui/progress.js'

export interface BenchCommandResult extends BenchResult {
  /** Where the URL came from: the argument, the running `wsapi dev`, or the last deploy. */
  source: string
}

const SOURCE_TEXT = {argument: undefined, deploy: 'last deploy', dev: 'wsapi dev'}

export default class Bench extends WsapiCommand {
  static override args = {
    url: Args.string({
      description: 'WebSocket URL (default: the running `wsapi dev` of the project, else its last deploy).',
      // oclif would otherwise take piped stdin as the URL.
      ignoreStdin: true,
    }),
  }

  static override description = `Opens --clients connections ramped at --rate per second, then --senders of them each send --messages broadcasts {"<routeField>":"<route>","data":{"id":…,"sentAt":…}} (route field and route from template.yaml, as for \`wsapi connect\`). Every client, the sender included, should receive every broadcast — what the generated handler does; --expect others if your API skips the sender.

It reports connect time and failed handshakes (with their HTTP status), fan-out latency from the send to the first and to the last recipient (p50 / p95 / p99 / max), deliveries received against expected, duplicates, lost messages and API Gateway error frames. Latencies use one monotonic clock in this process.

With --room NAME every client first joins the room (and waits for the API's reply to the join), then the messages go to the room ({"<routeField>":"<route>","room":"NAME","data":…}) and each should reach every member.

Exit codes: 0 when every delivery arrived; 1 when a delivery was lost (unless --allow-loss), a client failed to connect or to join the room, or API Gateway sent error frames; 2 on bad usage.`

  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %>',
      description: 'Benchmark the running `wsapi dev` of this project (else its last deploy) with 100 clients',
    },
    {
      command:
        '<%= config.bin %> <%= command.id %> wss://abc123.execute-api.eu-west-1.amazonaws.com/v1 --clients 1000 --senders 5 --messages 20',
      description: 'A deployed API: 1000 clients, 5 senders, 100 broadcasts',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --json --timeout 30 > bench.json',
      description: 'For CI: the whole result as JSON, exit 1 on any loss',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --room lobby --clients 50',
      description: 'A project made with rooms: 50 clients join lobby, then messages go to the room',
    },
    {
      command:
        '<%= config.bin %> <%= command.id %> ws://127.0.0.1:8080 --route chat --route-field action --expect others',
      description: 'Another API: {"action":"chat",…}, broadcasts that skip the sender',
    },
  ]

  static override flags = {
    dir: Flags.string({
      char: 'd',
      default: '.',
      description: 'Project folder, for the default URL and the route (template.yaml).',
    }),
    stage: Flags.string({
      description:
        "Stage whose deploy to use when no URL is given and `wsapi dev` is not running. [default: the template's]",
    }),
    clients: Flags.integer({char: 'c', default: 100, description: 'Connections to open.', min: 1}),
    rate: Flags.integer({
      default: 100,
      description: `New connections per second while ramping up (API Gateway's default quota: ${APIGW_CONNECT_RATE_QUOTA}/s per account).`,
      min: 1,
    }),
    senders: Flags.integer({default: 1, description: 'How many of the clients send.', min: 1}),
    messages: Flags.integer({char: 'm', default: 10, description: 'Broadcasts each sender sends.', min: 1}),
    interval: durationFlagWithDefault(
      MILLISECONDS,
      '200ms',
    )({
      description:
        'Time between two broadcasts of one sender, staggered across senders (a bare number is milliseconds).',
    }),
    timeout: durationFlagWithDefault(
      SECONDS,
      '10s',
    )({
      description:
        'How long a handshake may take, and the wait for the last deliveries after the last send (a bare number is seconds).',
    }),
    route: Flags.string({
      char: 'r',
      description: 'Route key to send to. [default: the first custom route of template.yaml, else sendmessage]',
    }),
    'route-field': Flags.string({
      description:
        'Message field that selects the route, e.g. action or meta.type. [default: from the route selection expression, else message]',
    }),
    room: Flags.string({
      description:
        'Every client joins this room first ({"<routeField>":"join","room":…}, waiting for the reply) and messages carry "room": a project made with --rooms delivers them to the room only. Deliveries count the members.',
    }),
    expect: Flags.string({
      default: 'all',
      description: 'Who should receive each broadcast: all (the sender included) or others.',
      options: [...EXPECTATIONS],
    }),
    'allow-loss': Flags.boolean({description: 'Report lost deliveries but exit 0 for them.'}),
    ...clientAuthFlags,
    'token-stdin': Flags.boolean({description: 'Read the token from standard input.'}),
    header: Flags.string({char: 'H', description: 'Handshake header, "Name: value" (repeatable).', multiple: true}),
  }

  static override summary = 'Measure fan-out latency and delivery of a WebSocket API (wsapi dev, a deploy, or any URL).'

  async run(): Promise<BenchCommandResult> {
    const {args, flags} = await this.parse(Bench)
    const token = await resolveTokenInput({
      env: process.env,
      flag: flags.token,
      readStdin: () => readSecretFromStdin('--token-stdin'),
      stdin: flags['token-stdin'],
    })
    const resolved = await resolveTarget({dir: resolve(flags.dir), stage: flags.stage, url: args.url})
    const target = flags.sigv4
      ? {...resolved, url: await presignTarget(resolved, {profile: flags.profile, region: flags.region})}
      : resolved
    if (target.notice) this.out.info(target.notice)
    const routing = benchRouting(target, {route: flags.route, routeField: flags['route-field']})
    const bar = progressBar(process.stderr)
    let result: BenchResult
    try {
      result = await runBench({
        allowLoss: flags['allow-loss'],
        clients: flags.clients,
        expect: flags.expect as Expectation,
        headers: parseHeaderFlags(flags.header),
        intervalMs: flags.interval,
        messages: flags.messages,
        onProgress(progress) {
          const {fraction, label} = progressLine(progress)
          bar.update(fraction, label)
        },
        output: this.out,
        rate: flags.rate,
        room: flags.room,
        ...routing,
        senders: flags.senders,
        timeoutMs: flags.timeout,
        ...tokenTransport(target, token ?? target.token),
      })
    } finally {
      bar.stop()
    }

    this.out.info(renderBenchSummary(result, SOURCE_TEXT[target.source]))
    if (result.deliveries.lost === 0) this.out.success(`All ${result.deliveries.expected} deliveries arrived.`)
    else if (flags['allow-loss'])
      this.out.warn(
        `${result.deliveries.lost} of ${result.deliveries.expected} deliveries lost (allowed by --allow-loss).`,
      )
    if (result.passed) return {...result, source: target.source}
    if (this.jsonEnabled()) process.exitCode = 1
    else throw new WsapiError(`${result.problems.join('; ')}.`, {code: 'BENCH_FAILED'})
    return {...result, source: target.source}
  }
}
