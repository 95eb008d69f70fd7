import {basename, relative, resolve} from 'node:path'

import {UsageError} from '../lib/errors.js'
import {ARCHITECTURES, LAMBDA_RUNTIMES, stackNameFromDirectory} from '../lib/project/index.js'
import {
  checkTarget,
  connectCommand,
  formatPlan,
  devCommand,
  INIT_DEFAULTS,
  type InitOptions,
  planProject,
  type RawInitOptions,
  resolveInitOptions,
  writeProject,
} from '../lib/scaffold/index.js'
import {WsapiCommand} from '../ui/base-command.js'
import {durationFlag, SECONDS} from '../ui/duration-flag.js'
import {isInteractive} from '../ui/interactive.js'
import {Args, Flags} from '../ui/oclif.js'
import {colors} from '../ui/output.js'

export interface InitResult {
  dir: string
  dryRun: boolean
  files: string[]
  options: InitOptions
  overwritten: string[]
  warnings: string[]
}

export default class Init extends WsapiCommand {
  static override args = {
    dir: Args.string({
      description: 'Folder to create the project in (default: the current folder).',
      // oclif would otherwise take piped stdin as DIR (`yes | wsapi init` must not create a folder named y).
      ignoreStdin: true,
    }),
  }

  static override description = `Writes a CloudFormation template.yaml (API, routes, integrations, stage, connections table, one least-privilege role and log group per function, outputs), TypeScript handlers for $connect, $disconnect and each custom route, and their tests.

In a terminal it asks each question that no flag answers; --yes takes the defaults for the rest. Without a terminal it never asks.`

  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %> chat',
      description: 'Ask the questions, then write the project into ./chat',
    },
    {command: '<%= config.bin %> <%= command.id %> chat --yes', description: 'Take every default'},
    {
      command:
        '<%= config.bin %> <%= command.id %> chat --yes --routes sendmessage,join --auth token --billing provisioned',
      description: 'Two routes, a token authorizer on $connect, provisioned capacity',
    },
    {
      command: '<%= config.bin %> <%= command.id %> chat --yes --rooms --auth token',
      description: 'Rooms and direct messages, to connections or to users',
    },
    {
      command: '<%= config.bin %> <%= command.id %> chat --yes --dry-run',
      description: 'List the files without writing them',
    },
  ]

  static override flags = {
    name: Flags.string({description: 'Project name; also the CloudFormation stack name prefix. [default: from DIR]'}),
    stage: Flags.string({description: `API stage. [default: ${INIT_DEFAULTS.stage}]`}),
    'route-selection': Flags.string({
      description: `Route selection expression: $request.body.<path>, a \${request.body.<path>} template, or a static value. [default: ${INIT_DEFAULTS.routeSelection}]`,
    }),
    routes: Flags.string({
      description: `Custom routes, comma-separated (none may start with $). [default: ${INIT_DEFAULTS.routes.join(',')}]`,
    }),
    'default-route': Flags.boolean({
      allowNo: true,
      description: 'Add a two-way $default route that tells senders how to use the API. [default: true]',
    }),
    rooms: Flags.boolean({
      allowNo: true,
      description:
        'Add rooms (routes join, leave, whoami; sendmessage with "room") and direct messages (sendmessage with "to"). [default: false]',
    }),
    'id-attribute': Flags.string({
      description: `Connection-id attribute (the table's key). [default: ${INIT_DEFAULTS.idAttribute}]`,
    }),
    'table-env': Flags.string({
      description: `Environment variable carrying the table name. [default: ${INIT_DEFAULTS.tableEnv}]`,
    }),
    billing: Flags.string({
      description: `Table billing mode. [default: ${INIT_DEFAULTS.billing}]`,
      options: ['on-demand', 'provisioned'],
    }),
    'read-capacity': Flags.integer({
      description: `Read capacity units (provisioned billing). [default: ${INIT_DEFAULTS.readCapacity}]`,
    }),
    'write-capacity': Flags.integer({
      description: `Write capacity units (provisioned billing). [default: ${INIT_DEFAULTS.writeCapacity}]`,
    }),
    runtime: Flags.string({
      description: `Lambda runtime. [default: ${INIT_DEFAULTS.runtime}]`,
      options: [...LAMBDA_RUNTIMES],
    }),
    arch: Flags.string({
      description: `Lambda architecture. [default: ${INIT_DEFAULTS.arch}]`,
      options: [...ARCHITECTURES],
    }),
    memory: Flags.integer({description: `Lambda memory in MB (128-10240). [default: ${INIT_DEFAULTS.memory}]`}),
    timeout: durationFlag(SECONDS)({
      description: `Lambda timeout, whole seconds, e.g. 20s (a bare number is seconds; API Gateway waits at most 29s). [default: ${INIT_DEFAULTS.timeout}s]`,
    }),
    'log-retention': Flags.integer({
      description: `Days CloudWatch keeps function logs. [default: ${INIT_DEFAULTS.logRetention}]`,
    }),
    'rate-limit': Flags.string({
      description: `Messages each connection may send to a broadcast route, on average: N/s or N/m, or off. [default: ${INIT_DEFAULTS.rateLimit}]`,
    }),
    'rate-burst': Flags.string({
      description: `Messages each connection may send at once (the size of its token bucket). [default: ${INIT_DEFAULTS.rateBurst}, or two seconds' worth of --rate-limit]`,
    }),
    'reserved-concurrency': Flags.string({
      description: `ReservedConcurrentExecutions of each broadcast function, or none (new AWS accounts with a concurrency quota of 10 need none). [default: ${INIT_DEFAULTS.reservedConcurrency}]`,
    }),
    'fanout-shards': Flags.integer({
      description: `Shards of a large broadcast, each delivered by a fan-out function; 1: none, every broadcast inline. [default: ${INIT_DEFAULTS.fanoutShards}]`,
    }),
    'fanout-inline-max': Flags.integer({
      description: `Broadcasts to fewer connections than this are posted by the route's own function, in one hop; larger ones are sharded. [default: ${INIT_DEFAULTS.fanoutInlineMax}]`,
    }),
    auth: Flags.string({
      description: `$connect authorization: none, token (shared secret), jwt (verified JWTs) or iam (SigV4). [default: ${INIT_DEFAULTS.auth}]`,
      options: ['none', 'token', 'jwt', 'iam'],
    }),
    'jwt-issuer': Flags.string({
      description:
        'With --auth jwt: the issuer URL (a Cognito user pool URL or any OpenID Connect issuer), or local (wsapi dev issues tokens). [default: local]',
    }),
    'jwt-audience': Flags.string({
      description:
        'With --auth jwt: the audience tokens must carry (for Cognito, the app client id). [default: the project name]',
    }),
    domain: Flags.string({
      description:
        'Serve the API on your own domain, e.g. chat.example.com (needs --certificate-arn). [default: none; later: deploy --parameter DomainName=…]',
    }),
    'certificate-arn': Flags.string({
      description: 'With --domain: the ACM certificate for it, in the region you deploy to.',
    }),
    'hosted-zone-id': Flags.string({
      description:
        'With --domain: the Route 53 hosted zone in which to create its alias record. [default: none, DNS is yours]',
    }),
    yes: Flags.boolean({char: 'y', description: 'Take the defaults for every question no flag answers; never prompt.'}),
    force: Flags.boolean({
      char: 'f',
      description: 'Write into a non-empty folder, overwriting files of the same names (others are kept).',
    }),
    'dry-run': Flags.boolean({description: 'List the files that would be written, and write nothing.'}),
  }

  static override summary = 'Create a WebSocket API project: template, handlers and tests.'

  async run(): Promise<InitResult> {
    const {args, flags} = await this.parse(Init)
    const dir = resolve(args.dir ?? '.')
    // Refuse before asking anything, so nobody answers a dozen questions in vain.
    checkTarget(dir, {force: flags.force})

    const given: RawInitOptions = {
      arch: flags.arch,
      auth: flags.auth,
      billing: flags.billing,
      certificateArn: flags['certificate-arn'],
      defaultRoute: flags['default-route'],
      domain: flags.domain,
      fanoutInlineMax: flags['fanout-inline-max'],
      fanoutShards: flags['fanout-shards'],
      hostedZoneId: flags['hosted-zone-id'],
      idAttribute: flags['id-attribute'],
      jwtAudience: flags['jwt-audience'],
      jwtIssuer: flags['jwt-issuer'],
      logRetention: flags['log-retention'],
      memory: flags.memory,
      name: flags.name,
      rateBurst: flags['rate-burst'],
      rateLimit: flags['rate-limit'],
      readCapacity: flags['read-capacity'],
      reservedConcurrency: flags['reserved-concurrency'],
      rooms: flags.rooms,
      routeSelection: flags['route-selection'],
      routes: flags.routes,
      runtime: flags.runtime,
      stage: flags.stage,
      tableEnv: flags['table-env'],
      // The template's Timeout is in seconds; resolveInitOptions refuses a part of one.
      timeout: flags.timeout === undefined ? undefined : flags.timeout / 1000,
      writeCapacity: flags['write-capacity'],
    }
    const defaultName = stackNameFromDirectory(basename(dir))
    const interactive = !flags.yes && isInteractive({json: this.jsonEnabled()})
    let raw = given
    if (interactive) {
      const {askInitQuestions} = await import('../ui/init-prompts.js')
      raw = await askInitQuestions(given, defaultName)
    }

    const name = raw.name ?? defaultName
    if (name === undefined) {
      throw new UsageError(
        `Cannot make a project name from the folder name ${JSON.stringify(basename(dir))}: pass --name, e.g. --name chat.`,
        {code: 'INVALID_NAME'},
      )
    }

    const options = resolveInitOptions({...raw, name})
    const plan = await formatPlan(planProject(options))
    for (const warning of plan.warnings) this.out.warn(warning)
    const shown = relative(process.cwd(), dir) || '.'
    if (flags['dry-run']) {
      this.out.info(`Would write ${plan.files.length} files to ${shown}:`)
      for (const file of plan.files) this.out.info(`  ${file.path}`)
      return {
        dir,
        dryRun: true,
        files: plan.files.map((file) => file.path),
        options,
        overwritten: [],
        warnings: plan.warnings,
      }
    }

    const written = writeProject(dir, plan.files, {force: flags.force})
    for (const file of plan.files)
      this.out.info(
        `  ${written.overwritten.includes(file.path) ? colors.yellow('overwrote') : colors.green('created')}  ${file.path}`,
      )
    this.out.success(`Created ${options.name} in ${shown} (${plan.files.length} files).`)
    const cd = shown === '.' ? [] : [`cd ${shown.includes(' ') ? JSON.stringify(shown) : shown}`]
    this.out.info(
      [
        '',
        'Next steps:',
        ...cd.map((line) => `  ${line}`),
        ...nextSteps([
          [devCommand(options), 'run it locally: API Gateway emulator + DynamoDB, no AWS account'],
          [connectCommand(options), 'chat with it from another terminal'],
          ['npm install && npm test', 'the handlers’ tests'],
          ['wsapi deploy', `ship it to AWS (stack ${options.name}-${options.stage})`],
        ]),
      ].join('\n'),
    )
    return {
      dir,
      dryRun: false,
      files: plan.files.map((file) => file.path),
      options,
      overwritten: written.overwritten,
      warnings: plan.warnings,
    }
  }
}

/** Commands with their comments lined up, whatever the bin name. */
function nextSteps(steps: Array<[command: string, comment: string]>): string[] {
  const width = Math.max(...steps.map(([command]) => command.length)) + 2
  return steps.map(([command, comment]) => `  ${command.padEnd(width)}# ${comment}`)
}
