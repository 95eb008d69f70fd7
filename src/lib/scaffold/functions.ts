import {exampleMessage, fileStem, parseRouteSelectionExpression, pascalCase} from '../project/index.js'
import {type InitOptions, INTEGRATION_TIMEOUT_SECONDS, ROOM_ROUTES} from './options.js'

/**
 * The routes of a new project and the Lambda function behind each (and the fan-out and authorizer
 * functions): their ids, files, example messages, and the table actions, timeouts and reserved concurrency
 * each one gets; with the warnings those choices call for.
 */

export interface RouteContext {
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

export type RoomRoute = (typeof ROOM_ROUTES)[number]

export interface FunctionContext {
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
export const FANOUT_TIMEOUT_SECONDS = 300

/**
 * Lambda keeps 100 of an account's concurrency unreserved, so the default quota of 1000 leaves 900 to reserve
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
 */
const DEFAULT_RESERVABLE_CONCURRENCY = 900

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

/** Each route of the project, in the template's order; a route no message can select is a warning. */
export function planRoutes(options: InitOptions, warnings: string[]): RouteContext[] {
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

  return routes
}

/** Queries the connections table's index by principal: --rooms with an authorizer (`"to": "user:…"`). */
export function usesPrincipalIndex(options: InitOptions): boolean {
  return options.rooms && options.auth !== 'none'
}

/** The function behind each route, then the fan-out and authorizer functions the options call for. */
export function planFunctions(options: InitOptions, routes: RouteContext[], warnings: string[]): FunctionContext[] {
  const rateLimited = options.rateLimit !== 'off'
  // The rate limiter reads the sender's bucket and writes it back on the sender's own item (runtime/rate-limit.ts).
  const broadcastTableActions = [
    'dynamodb:Scan',
    'dynamodb:DeleteItem',
    ...(rateLimited ? ['dynamodb:GetItem', 'dynamodb:UpdateItem'] : []),
  ]
  const fanout = options.fanoutShards > 1
  const principalIndex = usesPrincipalIndex(options)
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

  return functions
}
