import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {RUNTIME_DIR, TEMPLATES_DIR, wsapiPackage} from '../paths.js'
import {
  DEPRECATED_RUNTIMES,
  deploymentLogicalId,
  exampleMessage,
  fileStem,
  parseRouteSelectionExpression,
  parseTemplate,
  pascalCase,
} from '../project/index.js'
import {createRenderer, type TemplateRenderer} from './engine.js'
import {INIT_DEFAULTS, type InitOptions, INTEGRATION_TIMEOUT_SECONDS, ROOM_ROUTES} from './options.js'

/** The default budget of @connections posts per second of one broadcast (runtime/pacing.ts). */
const DEFAULT_POSTS_PER_SECOND = 9000

export interface PlannedFile {
  contents: string
  /** Relative to the project folder, with forward slashes. */
  path: string
}

export interface ProjectPlan {
  files: PlannedFile[]
  options: InitOptions
  /** Things the user should know about their choices (printed, never fatal). */
  warnings: string[]
}

interface RouteContext {
  authorized: boolean
  /** $connect of an --auth iam project: AuthorizationType AWS_IAM (SigV4-signed handshakes). */
  iam: boolean
  example: string
  file: string
  id: string
  key: string
  kind: 'connect' | 'custom' | 'default' | 'disconnect' | RoomRoute
  twoWay: boolean
}

type RoomRoute = (typeof ROOM_ROUTES)[number]

interface FunctionContext {
  authorizer: boolean
  broadcasts: boolean
  description: string
  /** The fan-out function, which delivers shards of large broadcasts. */
  fanout: boolean
  file: string
  id: string
  /** A broadcast route's function, which may invoke the fan-out function. */
  invokesFanout: boolean
  manageConnections: boolean
  /** Actions on the memberships table (--rooms). */
  membershipActions: string[]
  /** Queries the memberships table's index by connection (--rooms). */
  membershipIndex: boolean
  /** Queries the connections table's index by principal (--rooms with an authorizer: `"to": "user:…"`). */
  principalIndex: boolean
  /** ReservedConcurrentExecutions, for broadcast functions when init was asked for it. */
  reservedConcurrency?: number
  tableActions: string[]
  timeout: number
}

/**
 * The fan-out function's timeout: it runs asynchronously, so API Gateway's 29 s do not bound it, and a shard
 * of a 1M-connection broadcast (62,500 posts at 562/s) fits in it; a longer one is handed on (runtime/fanout.ts).
 */
const FANOUT_TIMEOUT_SECONDS = 300

/**
 * Lambda keeps 100 of an account's concurrency unreserved, so the default quota of 1000 leaves 900 to reserve
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
 */
const DEFAULT_RESERVABLE_CONCURRENCY = 900

/** `10/s`, 20 → `10 messages per second, 20 at once`. */
function rateLimitText(rateLimit: string, burst: number): string {
  const [count, unit] = rateLimit.split('/')
  return `${count} messages per ${unit === 'm' ? 'minute' : 'second'}, ${burst} at once`
}

const PROJECT_TEMPLATES = join(TEMPLATES_DIR, 'project')
const ROUTE_PLACEHOLDER = '[route]'
const DEPLOYMENT_PLACEHOLDER = 'DeploymentPlaceholder'

/** Template files that exist only for some choices. */
const CONDITIONAL_FILES: Record<string, (options: InitOptions) => boolean> = {
  'src/handlers/authorizer-jwt.ts.hbs': (options) => options.auth === 'jwt',
  'src/handlers/authorizer.ts.hbs': (options) => options.auth === 'token',
  'test/authorizer-jwt.test.ts.hbs': (options) => options.auth === 'jwt',
  'src/handlers/default.ts.hbs': (options) => options.defaultRoute,
  'src/token-protocol.ts': (options) => options.auth === 'jwt',
  'src/handlers/fanout.ts.hbs': (options) => options.fanoutShards > 1,
  'test/authorizer.test.ts.hbs': (options) => options.auth === 'token',
  'test/context.ts': (options) => options.fanoutShards > 1,
  'test/default.test.ts.hbs': (options) => options.defaultRoute,
  'test/fanout.test.ts.hbs': (options) => options.fanoutShards > 1,
  'src/handlers/join.ts.hbs': (options) => options.rooms,
  'src/handlers/leave.ts.hbs': (options) => options.rooms,
  'src/handlers/whoami.ts.hbs': (options) => options.rooms,
  'test/rooms.test.ts.hbs': (options) => options.rooms,
}

/** Runtime helpers that only some projects use (the others are copied into every project). */
const CONDITIONAL_RUNTIME_FILES: Record<string, (options: InitOptions) => boolean> = {
  'rooms.ts': (options) => options.rooms,
}

/** npm strips .gitignore from published packages, so the template ships it as _gitignore (as create-vite does). */
const RENAMED_FILES: Record<string, string> = {
  _gitignore: '.gitignore',
  // One authorizer per project, whichever kind: the template always names src/handlers/authorizer.ts.
  'authorizer-jwt.test.ts': 'authorizer.test.ts',
  'authorizer-jwt.ts': 'authorizer.ts',
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort()
}

/** Gives each custom route a logical id stem and a file stem that no other route or function uses. */
function customRouteNames(routes: string[], rooms: boolean): Array<{file: string; id: string; key: string}> {
  const ids = new Set([
    'Connect',
    'Disconnect',
    'Default',
    'Authorizer',
    'Fanout',
    'WebSocketApi',
    'Stage',
    'Connections',
    ...(rooms ? ['Join', 'Leave', 'Whoami', 'Memberships'] : []),
  ])
  const files = new Set([
    'connect',
    'disconnect',
    'default',
    'authorizer',
    'fanout',
    'events',
    ...(rooms ? ['join', 'leave', 'whoami', 'rooms'] : []),
  ])
  return routes.map((key) => {
    const unique = (base: string, taken: Set<string>) => {
      let candidate = base
      for (let n = 2; taken.has(candidate); n++) candidate = `${base}${n}`
      taken.add(candidate)
      return candidate
    }

    return {file: unique(fileStem(key) || 'route', files), id: unique(pascalCase(key), ids), key}
  })
}

function sdkRange(name: string): string {
  const {dependencies = {}, devDependencies = {}} = wsapiPackage()
  const range = dependencies[name] ?? devDependencies[name]
  if (!range) throw new Error(`wsapi's package.json has no version of ${name}`)
  return range
}

/**
 * `wsapi dev` as it works for this project. A token project needs no secret on the command line: dev
 * generates the token (as Secrets Manager does when AuthTokenSecret is empty) and keeps it in .wsapi/.
 */
export function devCommand(_options: Pick<InitOptions, 'auth'>): string {
  return 'wsapi dev'
}

/**
 * `wsapi connect` as it works for this project under `wsapi dev`: a token project's comes from .wsapi/, a jwt
 * project's from dev as the local issuer (`wsapi token`), and an iam project signs as dev's local caller.
 */
export function connectCommand(options: Pick<InitOptions, 'auth'>): string {
  if (options.auth === 'jwt') return 'WSAPI_TOKEN="$(wsapi token --sub alice)" wsapi connect'
  if (options.auth === 'iam') return 'wsapi connect --sigv4'
  return 'wsapi connect'
}

/** The data every template sees. */
function templateContext(options: InitOptions, warnings: string[]) {
  const expression = parseRouteSelectionExpression(options.routeSelection)
  const example = (route: string) => {
    const message = exampleMessage(expression, route, {data: 'hello'})
    if (message) return JSON.stringify(message)
    warnings.push(
      `No message can select route ${JSON.stringify(route)} with the expression ${options.routeSelection}; it only runs if you change one of them.`,
    )
    return JSON.stringify({data: 'hello'})
  }

  const custom = customRouteNames(options.routes, options.rooms)
  const routes: RouteContext[] = [
    {
      authorized: options.auth === 'token' || options.auth === 'jwt',
      example: '',
      file: 'connect',
      iam: options.auth === 'iam',
      id: 'Connect',
      key: '$connect',
      kind: 'connect',
      twoWay: false,
    },
    {
      authorized: false,
      example: '',
      file: 'disconnect',
      iam: false,
      id: 'Disconnect',
      key: '$disconnect',
      kind: 'disconnect',
      twoWay: false,
    },
    ...custom.map((route): RouteContext => ({
      ...route,
      authorized: false,
      example: example(route.key),
      iam: false,
      kind: 'custom',
      twoWay: false,
    })),
  ]
  // Two-way: API Gateway sends each one's reply ({"joined": …}, {"left": …}, whoami's) back to the sender.
  if (options.rooms) {
    const bodies: Record<RoomRoute, Record<string, unknown>> = {
      join: {room: 'lobby'},
      leave: {room: 'lobby'},
      whoami: {},
    }
    for (const key of ROOM_ROUTES) {
      const message = exampleMessage(expression, key, bodies[key])
      if (!message)
        warnings.push(
          `No message can select route ${JSON.stringify(key)} with the expression ${options.routeSelection}; it only runs if you change the expression.`,
        )
      routes.push({
        authorized: false,
        example: JSON.stringify(message ?? bodies[key]),
        file: key,
        iam: false,
        id: pascalCase(key),
        key,
        kind: key,
        twoWay: true,
      })
    }
  }

  if (options.defaultRoute)
    routes.push({
      authorized: false,
      example: '',
      file: 'default',
      iam: false,
      id: 'Default',
      key: '$default',
      kind: 'default',
      twoWay: true,
    })

  const rateLimited = options.rateLimit !== 'off'
  // The rate limiter reads the sender's bucket and writes it back on the sender's own item (runtime/rate-limit.ts).
  const broadcastTableActions = [
    'dynamodb:Scan',
    'dynamodb:DeleteItem',
    ...(rateLimited ? ['dynamodb:GetItem', 'dynamodb:UpdateItem'] : []),
  ]
  const fanout = options.fanoutShards > 1
  const principalIndex = options.rooms && options.auth !== 'none'
  // --rooms: what each function does with the memberships table (and its index by connection), and nothing more.
  const membershipActions: Record<RouteContext['kind'], string[]> = {
    connect: [],
    custom: options.rooms ? ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DeleteItem'] : [],
    default: [],
    disconnect: options.rooms ? ['dynamodb:DeleteItem'] : [],
    join: ['dynamodb:PutItem'],
    leave: ['dynamodb:DeleteItem'],
    whoami: [],
  }
  const functions: FunctionContext[] = routes.map((route) => ({
    authorizer: false,
    broadcasts: route.kind === 'custom',
    fanout: false,
    invokesFanout: fanout && route.kind === 'custom',
    description: {
      connect: 'Stores each new connection ($connect)',
      custom: `Broadcasts the data of ${route.key} messages to every connection`,
      default: 'Tells senders of unrouted messages how to use the API ($default)',
      disconnect: options.rooms
        ? 'Forgets closed connections and their rooms ($disconnect)'
        : 'Forgets closed connections ($disconnect)',
      join: 'Adds the sender to a room (join)',
      leave: 'Removes the sender from a room (leave)',
      whoami: 'Tells the sender its connection id, principal and rooms (whoami)',
    }[route.kind],
    file: `src/handlers/${route.file}.ts`,
    id: route.id,
    manageConnections: route.kind === 'custom',
    membershipActions: membershipActions[route.kind],
    membershipIndex: options.rooms && (route.kind === 'disconnect' || route.kind === 'whoami'),
    principalIndex: principalIndex && route.kind === 'custom',
    reservedConcurrency:
      route.kind === 'custom' && options.reservedConcurrency !== 'none' ? options.reservedConcurrency : undefined,
    tableActions: {
      connect: ['dynamodb:PutItem'],
      custom: broadcastTableActions,
      default: [],
      disconnect: ['dynamodb:DeleteItem'],
      join: [],
      leave: [],
      whoami: [],
    }[route.kind],
    timeout: options.timeout,
  }))
  if (fanout) {
    functions.push({
      authorizer: false,
      broadcasts: false,
      description: 'Delivers one shard of a large broadcast (invoked asynchronously by the broadcast routes)',
      fanout: true,
      file: 'src/handlers/fanout.ts',
      id: 'Fanout',
      invokesFanout: false,
      manageConnections: true,
      membershipActions: [],
      membershipIndex: false,
      principalIndex: false,
      reservedConcurrency: options.reservedConcurrency === 'none' ? undefined : options.reservedConcurrency,
      // Reads its segment of the table; deletes recipients that have gone.
      tableActions: ['dynamodb:Scan', 'dynamodb:DeleteItem'],
      timeout: FANOUT_TIMEOUT_SECONDS,
    })
  }

  if (options.auth === 'token' || options.auth === 'jwt') {
    functions.push({
      authorizer: true,
      broadcasts: false,
      description:
        options.auth === 'jwt'
          ? 'Verifies the JWT a client presents on $connect'
          : 'Checks the token query string on $connect',
      fanout: false,
      file: 'src/handlers/authorizer.ts',
      id: 'Authorizer',
      invokesFanout: false,
      manageConnections: false,
      membershipActions: [],
      membershipIndex: false,
      principalIndex: false,
      tableActions: [],
      timeout: options.timeout,
    })
  }

  if (fanout && options.reservedConcurrency !== 'none' && options.reservedConcurrency < options.fanoutShards) {
    warnings.push(
      `The fan-out function may run ${options.reservedConcurrency} at once (--reserved-concurrency) but a large broadcast has ${options.fanoutShards} shards: the others wait their turn; reserve at least as many as --fanout-shards.`,
    )
  }

  if (options.timeout > INTEGRATION_TIMEOUT_SECONDS) {
    warnings.push(
      `Timeout ${options.timeout} s: API Gateway stops waiting after ${INTEGRATION_TIMEOUT_SECONDS} s, so longer runs end in "Endpoint request timed out" for the sender.`,
    )
  }

  const reserved = functions.reduce((total, fn) => total + (fn.reservedConcurrency ?? 0), 0)
  if (reserved > DEFAULT_RESERVABLE_CONCURRENCY) {
    warnings.push(
      `The broadcast functions reserve ${reserved} concurrent executions; an account with the default Lambda quota of 1000 can reserve at most ${DEFAULT_RESERVABLE_CONCURRENCY} (100 stay unreserved), so \`wsapi deploy\` needs a higher quota or a smaller --reserved-concurrency.`,
    )
  }

  if (DEPRECATED_RUNTIMES.includes(options.runtime))
    warnings.push(`${options.runtime} is deprecated by AWS Lambda; prefer ${INIT_DEFAULTS.runtime}.`)
  const firstCustom = routes.find((route) => route.kind === 'custom')
  // The first route's example with an address before its data: {"message":"sendmessage","room":"lobby","data":"hello"}.
  const addressed = (address: Record<string, string>) => {
    const {data, ...selection} = JSON.parse(firstCustom?.example ?? '{"data":"hello"}') as Record<string, unknown>
    return JSON.stringify({...selection, ...address, data})
  }

  return {
    ...options,
    auth: {
      iam: options.auth === 'iam',
      jwt: options.auth === 'jwt',
      lambda: options.auth === 'token' || options.auth === 'jwt',
      none: options.auth === 'none',
      token: options.auth === 'token',
    },
    jwt: options.auth === 'jwt' ? {audience: options.jwtAudience, issuer: options.jwtIssuer} : false,
    billing: {
      onDemand: options.billing === 'on-demand',
      provisioned: options.billing === 'provisioned',
      read: options.readCapacity,
      write: options.writeCapacity,
    },
    customRouteKeys: [...options.routes, ...(options.rooms ? ROOM_ROUTES : [])],
    deploymentDescription: `Routes ${routes.map((route) => route.key).join(', ')}`,
    deploymentId: DEPLOYMENT_PLACEHOLDER,
    // Template parameter defaults: empty serves the API on execute-api only.
    domain: {
      certificateArn: options.domain?.certificateArn ?? '',
      hostedZoneId: options.domain?.hostedZoneId ?? '',
      name: options.domain?.name ?? '',
    },
    example: firstCustom ? firstCustom.example : JSON.stringify({data: 'hello'}),
    fanout: fanout
      ? {
          inlineMax: options.fanoutInlineMax,
          postsPerSecond: DEFAULT_POSTS_PER_SECOND,
          shards: options.fanoutShards,
          timeout: FANOUT_TIMEOUT_SECONDS,
        }
      : false,
    functions,
    packageName: options.name.toLowerCase(),
    reservedConcurrency: options.reservedConcurrency === 'none' ? false : options.reservedConcurrency,
    rateLimit: rateLimited
      ? {burst: options.rateBurst, rate: options.rateLimit, text: rateLimitText(options.rateLimit, options.rateBurst)}
      : false,
    rooms: options.rooms
      ? {
          joinExample: routes.find((route) => route.kind === 'join')!.example,
          leaveExample: routes.find((route) => route.kind === 'leave')!.example,
          principalIndex,
          // The broadcast route whose room and direct delivery test/rooms.test.ts exercises.
          route: firstCustom ? {file: firstCustom.file, key: firstCustom.key} : false,
          roomExample: addressed({room: 'lobby'}),
          toExample: addressed({to: '<connectionId>'}),
          whoamiExample: routes.find((route) => route.kind === 'whoami')!.example,
        }
      : false,
    routes,
    versions: {
      awsSdk: sdkRange('@aws-sdk/client-dynamodb'),
      awsSdkSecretsManager: sdkRange('@aws-sdk/client-secrets-manager'),
      awsSdkClientMock: sdkRange('aws-sdk-client-mock'),
      awsJwtVerify: sdkRange('aws-jwt-verify'),
      awsSdkLambda: sdkRange('@aws-sdk/client-lambda'),
      mocha: sdkRange('mocha'),
      prettier: sdkRange('prettier'),
      tsx: sdkRange('tsx'),
      typescript: sdkRange('typescript'),
      typesMocha: sdkRange('@types/mocha'),
    },
    // Lined up so that their comments in the README form one column.
    connectCommand: connectCommand(options).padEnd(
      Math.max(devCommand(options).length, connectCommand(options).length),
    ),
    devCommand: devCommand(options).padEnd(Math.max(devCommand(options).length, connectCommand(options).length)),
    devScript: `node scripts/wsapi.mjs ${devCommand(options).replace(/^wsapi /, '')}`,
    wsapiPackageName: wsapiPackage().name,
    wsapiVersion: wsapiPackage().version,
  }
}

type Context = ReturnType<typeof templateContext>

function renderFile(render: TemplateRenderer, templatePath: string, context: object): string {
  const source = readFileSync(join(PROJECT_TEMPLATES, templatePath), 'utf8')
  return templatePath.endsWith('.hbs') ? render(source, context, templatePath) : source
}

function outputPath(templatePath: string, routeFile?: string): string {
  let path = templatePath.replace(/\.hbs$/, '')
  if (routeFile !== undefined) path = path.replace(ROUTE_PLACEHOLDER, routeFile)
  const parts = path.split('/')
  const last = parts.at(-1)!
  parts[parts.length - 1] = RENAMED_FILES[last] ?? last
  return parts.join('/')
}

/** Renders template.yaml, naming its deployment after a hash of the routes it deploys. */
function renderTemplateYaml(render: TemplateRenderer, context: Context): string {
  const draft = renderFile(render, 'template.yaml.hbs', context)
  const deploymentId = deploymentLogicalId(parseTemplate(draft, 'template.yaml'))
  return renderFile(render, 'template.yaml.hbs', {...context, deploymentId})
}

/** Every file of a new project, in memory: nothing is written here. */
export function planProject(options: InitOptions): ProjectPlan {
  const warnings: string[] = []
  const context = templateContext(options, warnings)
  const render = createRenderer()
  const files: PlannedFile[] = []
  for (const templatePath of listFiles(PROJECT_TEMPLATES)) {
    const condition = CONDITIONAL_FILES[templatePath]
    if (condition && !condition(options)) continue
    if (templatePath === 'template.yaml.hbs') {
      files.push({contents: renderTemplateYaml(render, context), path: 'template.yaml'})
    } else if (templatePath.includes(ROUTE_PLACEHOLDER)) {
      for (const route of context.routes.filter((candidate) => candidate.kind === 'custom')) {
        files.push({
          contents: renderFile(render, templatePath, {...context, route}),
          path: outputPath(templatePath, route.file),
        })
      }
    } else {
      files.push({contents: renderFile(render, templatePath, context), path: outputPath(templatePath)})
    }
  }

  // The shared runtime is copied, not installed: the project stays self-contained and esbuild bundles it into each function.
  for (const runtimeFile of listFiles(RUNTIME_DIR).filter(
    (file) => file.endsWith('.ts') && !file.includes('/') && (CONDITIONAL_RUNTIME_FILES[file]?.(options) ?? true),
  )) {
    files.push({contents: readFileSync(join(RUNTIME_DIR, runtimeFile), 'utf8'), path: `src/runtime/${runtimeFile}`})
  }

  files.sort((a, b) => (a.path < b.path ? -1 : 1))
  return {files, options, warnings}
}
