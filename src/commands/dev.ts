import {resolve} from 'node:path'

import {parseAllowedOrigin} from '../lib/dev/access.js'
import {parseConnectionsRateLimit} from '../lib/dev/rate-limit.js'
import type {DevServer} from '../lib/dev/server.js'
import {readSecretFromStdin, resolveParameterInput} from '../lib/secret-input.js'
import {WsapiCommand} from '../ui/base-command.js'
import {durationFlagWithDefault, MILLISECONDS, SECONDS} from '../ui/duration-flag.js'
import {Flags} from '../ui/oclif.js'
import {colors, table} from '../ui/output.js'

export interface DevResult {
  connectionsClosed: number
  event: 'stopped'
  signal: string
}

export default class Dev extends WsapiCommand {
  static override description = `Runs the project of template.yaml on this machine: an emulator of API Gateway WebSocket APIs (routes, route selection, $connect status codes, error frames, limits and timeouts as AWS has them), the @connections API (with the account's rate limit), the Lambda Invoke API (RequestResponse, Event with Lambda's retries and destinations) and an in-memory SQS on the same port, DynamoDB (dynalite, in memory unless --persist) with the template's tables, and every function bundled as \`wsapi build\` bundles it, each in its own worker threads with the template's environment, Timeout and MemorySize. The stage's route throttling and each function's ReservedConcurrentExecutions apply, as on AWS.

Sources are watched: a changed handler is rebuilt and swapped in without dropping connections. Every invocation is logged with its route, connection, duration and status. A chat page is served at http://<host>:<port>/.

Ctrl-C closes every connection with 1001 "Going away", runs $disconnect for each, and exits 0.`

  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %>',
      description: 'Run the project in the current folder on ws://127.0.0.1:3001/<stage>',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --dir chat --port 0 --json',
      description: 'Any free port; print one JSON line when ready',
    },
    {
      command: '<%= config.bin %> <%= command.id %>',
      description: 'A project made with `wsapi init --auth token`: a token is generated, and `wsapi connect` uses it',
    },
    {
      command: 'WSAPI_PARAMETER_AuthTokenSecret="$TOKEN" <%= config.bin %> <%= command.id %>',
      description: 'The same with a token of your own',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --latency 20 --latency-dynamodb 5',
      description: 'Add AWS-like round trips to each @connections and DynamoDB call',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --idle-timeout 5s --max-duration 1m',
      description: 'Short timeouts, to see them at work',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --connections-rate-limit 200 --connections-burst-limit 50',
      description: 'A low @connections throttle, to see pacing and LimitExceededException at work',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --allow-origin https://app.example.com',
      description: 'Let a page served from another origin than this machine open the WebSocket',
    },
  ]

  static override flags = {
    dir: Flags.string({char: 'd', default: '.', description: 'Project folder (holding template.yaml).'}),
    port: Flags.integer({
      char: 'p',
      default: 3001,
      description: 'Port for the WebSocket API, @connections and the chat page; 0 picks a free one.',
      max: 65_535,
      min: 0,
    }),
    host: Flags.string({
      default: '127.0.0.1',
      description: 'Address to listen on (0.0.0.0 for every interface: the API is then reachable from the network).',
    }),
    'allow-origin': Flags.string({
      description:
        'Also let web pages of this origin open the WebSocket, e.g. https://app.example.com (repeatable; * for all). Loopback origins are always allowed.',
      multiple: true,
    }),
    parameter: Flags.string({
      description:
        'Template parameter value, Name=Value (repeatable). For secrets prefer WSAPI_PARAMETER_<Name> or --parameter-stdin: a command line is visible to `ps`.',
      multiple: true,
    }),
    'parameter-stdin': Flags.string({
      description: 'Read the value of this parameter (e.g. AuthTokenSecret) from standard input.',
    }),
    region: Flags.string({default: 'us-east-1', description: 'AWS_REGION the handlers see.'}),
    persist: Flags.string({
      description:
        'Keep DynamoDB data in this folder between runs (created if missing; one dev server at a time; default: in memory).',
    }),
    'idle-timeout': durationFlagWithDefault(
      SECONDS,
      '10m',
    )({
      description:
        'Close connections idle this long with 1001 "Going away" (API Gateway: 10m; a bare number is seconds).',
    }),
    'max-duration': durationFlagWithDefault(
      SECONDS,
      '2h',
    )({description: 'Close connections this old with 1001 "Going away" (API Gateway: 2h; a bare number is seconds).'}),
    'integration-timeout': durationFlagWithDefault(
      SECONDS,
      '29s',
    )({description: 'Stop waiting for a handler after this long (API Gateway: 29s; a bare number is seconds).'}),
    latency: durationFlagWithDefault(
      MILLISECONDS,
      '0',
    )({description: 'Added to each @connections call, to mimic AWS, e.g. 20ms (a bare number is milliseconds).'}),
    'latency-dynamodb': durationFlagWithDefault(
      MILLISECONDS,
      '0',
    )({description: 'Added to each DynamoDB call, to mimic AWS, e.g. 5ms (a bare number is milliseconds).'}),
    'connections-rate-limit': Flags.string({
      default: '10000',
      description:
        'Requests per second all @connections calls share before 429 LimitExceededException, as the account-level throttle of API Gateway (10000); off for no limit.',
    }),
    'connections-burst-limit': Flags.integer({
      default: 5000,
      description: 'Burst of that throttle: calls allowed at once before the rate applies (API Gateway: 5000).',
      min: 1,
    }),
    'async-retry-delay': durationFlagWithDefault(
      SECONDS,
      '1s',
    )({
      description:
        'Wait before retrying a failed Event invocation, twice as long before the second retry (Lambda: about 1m, then 2m; a bare number is seconds).',
    }),
    concurrency: Flags.integer({
      default: 4,
      description: 'Execution environments (worker threads) per function at most.',
      max: 256,
      min: 1,
    }),
    queue: Flags.integer({
      default: 1000,
      description:
        'Invocations that may wait for a busy function (and 16 MB of events at most); beyond, they are throttled as Lambda throttles (TooManyRequestsException).',
      max: 100_000,
      min: 0,
    }),
    watch: Flags.boolean({allowNo: true, default: true, description: 'Reload changed handlers and template.yaml.'}),
    quiet: Flags.boolean({char: 'q', description: 'Do not log each invocation.'}),
  }

  static override summary =
    'Run the API locally: API Gateway WebSocket emulator, @connections, Lambda Invoke, SQS, DynamoDB, hot reload.'

  override logJson(json: unknown): void {
    // JSON Lines: the ready line, then one line when stopped, so that scripts can read line by line.
    process.stdout.write(`${JSON.stringify(json)}\n`)
  }

  async run(): Promise<DevResult> {
    const {flags} = await this.parse(Dev)
    const parameters = await resolveParameterInput({
      env: process.env,
      flags: flags.parameter,
      readStdin: () => readSecretFromStdin('--parameter-stdin'),
      stdinName: flags['parameter-stdin'],
    })
    const options = {
      allowOrigins: (flags['allow-origin'] ?? []).map((value) => parseAllowedOrigin(value)),
      asyncRetryDelayMs: flags['async-retry-delay'],
      concurrency: flags.concurrency,
      connectionsRateLimit:
        parseConnectionsRateLimit(flags['connections-rate-limit'], flags['connections-burst-limit']) ?? null,
      dir: resolve(flags.dir),
      dynamodbLatencyMs: flags['latency-dynamodb'],
      host: flags.host,
      idleTimeoutMs: flags['idle-timeout'],
      integrationTimeoutMs: flags['integration-timeout'],
      latencyMs: flags.latency,
      logInvocations: !flags.quiet,
      maxDurationMs: flags['max-duration'],
      output: this.out,
      environmentParameters: parameters.fromEnvironment,
      parameters: parameters.given,
      persistDir: flags.persist ? resolve(flags.persist) : undefined,
      port: flags.port,
      queue: flags.queue,
      region: flags.region,
      watch: flags.watch,
    }
    const {startDevServer} = await import('../lib/dev/server.js')
    const server = await startDevServer(options)
    const signal = await new Promise<string>((resolveSignal) => {
      for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(name, () => resolveSignal(name))
      if (this.jsonEnabled()) this.logJson(readyLine(server))
      else this.printBanner(server)
    })
    // A second Ctrl-C does not wait for the $disconnect handlers.
    for (const name of ['SIGINT', 'SIGTERM']) process.once(name, () => process.exit(130))
    const connections = server.connectionCount
    this.out.info(
      `\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: closing ${connections} connection${connections === 1 ? '' : 's'} (1001 Going away) and stopping.`,
    )
    await server.close()
    return {connectionsClosed: connections, event: 'stopped', signal}
  }

  private printBanner(server: DevServer): void {
    this.out.success(`${server.project} runs locally, stage ${server.stage}`)
    this.out.info(
      table([
        ['WebSocket', colors.cyan(server.url)],
        ['@connections', `${server.managementEndpoint}/@connections/{connectionId}`],
        ['Chat page', colors.cyan(server.pageUrl)],
        ['Lambda, SQS', `${server.localEndpoint}  (AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_SQS of the handlers)`],
        [
          'DynamoDB',
          `${server.dynamodbEndpoint}  ${server.tables.map((t) => `${t.logicalId} → ${t.name}`).join(', ')}`,
        ],
        ...(server.iamCaller
          ? [
              [
                'SigV4 caller',
                `${server.iamCaller.accessKeyId} (${server.iamCaller.userArn}; wsapi connect --sigv4 signs as it)`,
              ],
            ]
          : []),
        ...(server.localIssuer
          ? [
              [
                'JWT issuer',
                `${server.localIssuer.issuer} (audience ${server.localIssuer.audience}, keys at ${server.localIssuer.jwksUrl})`,
              ],
            ]
          : []),
        ...(server.secretSummaries.length > 0
          ? [
              [
                'Secrets Manager',
                `${server.secretsManagerEndpoint}  ${server.secretSummaries.map((secret) => `${secret.logicalId}${secret.generated ? ' (generated, in .wsapi/dev-secrets.json)' : ''}`).join(', ')}`,
              ],
            ]
          : []),
      ]),
    )
    this.out.info('')
    this.out.info(
      table(
        server.routes.map((route) => [
          route.key,
          route.functionId,
          [route.twoWay ? 'two-way' : 'one-way', route.authorizer ? `authorizer ${route.authorizer}` : '']
            .filter(Boolean)
            .join(', '),
        ]),
        {header: ['Route', 'Function', '']},
      ),
    )
    const connect = server.localIssuer
      ? 'WSAPI_TOKEN="$(wsapi token --sub alice)" wsapi connect'
      : server.iamCaller
        ? 'wsapi connect --sigv4'
        : 'wsapi connect'
    this.out.info(`\nTry it: ${connect} (or wscat -c ${server.url}), or open ${server.pageUrl}. Ctrl-C stops.\n`)
  }
}

function readyLine(server: DevServer) {
  return {
    dynamodbEndpoint: server.dynamodbEndpoint,
    event: 'ready',
    jwtIssuer: server.localIssuer && {
      audience: server.localIssuer.audience,
      issuer: server.localIssuer.issuer,
      jwksUrl: server.localIssuer.jwksUrl,
    },
    localEndpoint: server.localEndpoint,
    managementEndpoint: server.managementEndpoint,
    pageUrl: server.pageUrl,
    pid: process.pid,
    port: server.port,
    project: server.project,
    routes: server.routes,
    secrets: server.secretSummaries,
    secretsManagerEndpoint: server.secretsManagerEndpoint,
    stage: server.stage,
    tables: server.tables,
    url: server.url,
  }
}
