import {API_GATEWAY_LIMITS} from '../apigw/limits.js'
import {UsageError} from '../errors.js'
import {
  type Architecture,
  type LambdaRuntime,
  parseRouteList,
  parseRouteSelectionExpression,
  routeFieldPath,
  validateArchitecture,
  validateAttributeName,
  validateEnvVarName,
  validateInteger,
  validateRuntime,
  validateStackName,
  validateStackStage,
} from '../project/index.js'
import {type CustomDomain, resolveCustomDomain} from './custom-domain.js'

export type Billing = 'on-demand' | 'provisioned'
export type AuthMode = 'iam' | 'jwt' | 'none' | 'token'

/** Everything `wsapi init` asks; each field is also a flag. */
export interface InitOptions {
  arch: Architecture
  auth: AuthMode
  billing: Billing
  /** Add the $default route (two-way: it tells the sender how to use the API). */
  defaultRoute: boolean
  /** A custom domain for the API (template parameters DomainName, CertificateArn, HostedZoneId), when given. */
  domain?: CustomDomain
  /** Broadcasts to at least this many recipients go to the fan-out function; smaller ones are posted inline. */
  fanoutInlineMax: number
  /** Parallel scan segments of a large broadcast, one fan-out invocation each; 1: no fan-out function, every broadcast inline. */
  fanoutShards: number
  idAttribute: string
  /** With auth jwt: the audience tokens must carry (aud, or client_id of Cognito access tokens); the project name unless told. */
  jwtAudience?: string
  /** With auth jwt: the issuer URL, or `local` (the default) for `wsapi dev` as the issuer. */
  jwtIssuer?: string
  logRetention: number
  memory: number
  name: string
  /** Messages each connection may send at once on a broadcast route (0 when rateLimit is off). */
  rateBurst: number
  /** Each connection's average message rate on a broadcast route: `10/s`, `30/m`, or `off`. */
  rateLimit: string
  readCapacity: number
  /** Rooms (join, leave, sending to a room), direct messages (`to`) and whoami. */
  rooms: boolean
  /** ReservedConcurrentExecutions of each broadcast function, or none. */
  reservedConcurrency: 'none' | number
  routeSelection: string
  routes: string[]
  runtime: LambdaRuntime
  stage: string
  tableEnv: string
  timeout: number
  writeCapacity: number
}

/** Defaults, from the Sparta seed where it has one. `name` comes from the target folder. */
export const INIT_DEFAULTS: Omit<InitOptions, 'name'> = {
  arch: 'arm64',
  auth: 'none',
  billing: 'on-demand',
  defaultRoute: true,
  fanoutInlineMax: 250,
  fanoutShards: 16,
  idAttribute: 'connectionId',
  logRetention: 14,
  memory: 256,
  rateBurst: 20,
  rateLimit: '10/s',
  readCapacity: 5,
  reservedConcurrency: 100,
  rooms: false,
  routeSelection: '$request.body.message',
  routes: ['sendmessage'],
  runtime: 'nodejs22.x',
  stage: 'v1',
  tableEnv: 'CONNECTIONS_TABLE',
  timeout: 29,
  writeCapacity: 5,
}

/** The routes `--rooms` adds, each with a function of its own. */
export const ROOM_ROUTES = ['join', 'leave', 'whoami'] as const

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const

/** API Gateway stops waiting for an integration after 29 s (the generated functions' timeout is checked against it). */
export const INTEGRATION_TIMEOUT_SECONDS = API_GATEWAY_LIMITS.integrationTimeoutMs / 1000

export function validateBilling(value: string): Billing {
  if (value !== 'on-demand' && value !== 'provisioned') {
    throw new UsageError(`Invalid billing mode ${JSON.stringify(value)}: choose on-demand or provisioned.`, {
      code: 'INVALID_BILLING',
    })
  }

  return value
}

export function validateAuth(value: string): AuthMode {
  if (value !== 'none' && value !== 'token' && value !== 'jwt' && value !== 'iam') {
    throw new UsageError(`Invalid auth ${JSON.stringify(value)}: choose none, token, jwt or iam.`, {
      code: 'INVALID_AUTH',
    })
  }

  return value
}

/** The issuer value that makes `wsapi dev` the issuer of the tokens. */
export const LOCAL_JWT_ISSUER = 'local'

/** `local`, or an https URL without query or fragment (aws-jwt-verify fetches `<issuer>/.well-known/jwks.json`). */
export function validateJwtIssuer(value: string): string {
  const trimmed = value.trim()
  if (trimmed === LOCAL_JWT_ISSUER) return trimmed
  let url: URL | undefined
  try {
    url = new URL(trimmed)
  } catch {}

  if (!url || url.protocol !== 'https:' || url.search || url.hash || url.username || url.password) {
    throw new UsageError(
      `Invalid JWT issuer ${JSON.stringify(value)}: give the issuer's https URL (e.g. https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123), or local for wsapi dev.`,
      {
        code: 'INVALID_JWT_ISSUER',
      },
    )
  }

  return trimmed.replace(/\/$/, '')
}

export function validateJwtAudience(value: string): string {
  if (!/^[\x21-\x7e]{1,256}$/.test(value)) {
    throw new UsageError(
      `Invalid JWT audience ${JSON.stringify(value)}: give the audience (or Cognito app client id) tokens carry, 1 to 256 printable characters without spaces.`,
      {
        code: 'INVALID_JWT_AUDIENCE',
      },
    )
  }

  return value
}

export function validateRouteSelection(value: string): string {
  const expression = parseRouteSelectionExpression(value)
  const field = routeFieldPath(expression)
  if (field?.[0] === 'data') {
    throw new UsageError(
      `Invalid route selection expression ${JSON.stringify(value)}: the generated handlers carry the payload in "data"; select on another field, e.g. $request.body.message.`,
      {
        code: 'INVALID_EXPRESSION',
      },
    )
  }

  return value
}

export function validateLogRetention(value: number | string): number {
  const days = validateInteger(value, 'log retention', 1, 3653)
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new UsageError(
      `Invalid log retention ${days}: CloudWatch Logs accepts ${LOG_RETENTION_DAYS.join(', ')} days.`,
      {code: 'INVALID_NUMBER'},
    )
  }

  return days
}

/** `10/s`, `10/sec`, `30/m`, `30/min`, or a bare number of messages per second. */
const RATE = /^(\d+(?:\.\d+)?)(?:\/(s|sec|second|m|min|minute))?$/

/** The most a rate limit may allow: API Gateway's default account throttle is 10,000 requests per second. */
export const MAX_RATE_PER_SECOND = 10_000

/** A rate limit as the template stores it (`10/s`, `30/m`), or `off` for `off`, `none` and 0. */
export function validateRateLimit(value: number | string): string {
  const text = String(value).trim().toLowerCase().replaceAll(' ', '')
  if (text === 'off' || text === 'none') return 'off'
  const match = RATE.exec(text)
  const count = Number(match?.[1])
  if (match && count === 0) return 'off'
  const perSecond = match?.[2]?.startsWith('m') ? count / 60 : count
  if (!match || !(perSecond <= MAX_RATE_PER_SECOND)) {
    throw new UsageError(
      `Invalid rate limit ${JSON.stringify(String(value))}: give messages per connection per second or minute, e.g. 10/s or 30/m (at most ${MAX_RATE_PER_SECOND}/s), or off.`,
      {
        code: 'INVALID_RATE',
      },
    )
  }

  return `${count}/${match[2]?.startsWith('m') ? 'm' : 's'}`
}

/** The burst a rate gets unless told: two seconds' worth, at least 1 (10/s → 20). */
export function defaultRateBurst(rateLimit: string): number {
  const [count, unit] = rateLimit.split('/')
  return Math.min(10_000, Math.max(1, Math.ceil((2 * Number(count)) / (unit === 'm' ? 60 : 1))))
}

/** One invocation per shard: more than Lambda's default concurrency of 1,000 would only queue. */
export const MAX_FANOUT_SHARDS = 1000

/** The inline path reads its audience in one Scan page, which DynamoDB stops at 1 MB (about 10,000 connection ids). */
export const MAX_FANOUT_INLINE = 10_000

export function validateReservedConcurrency(value: number | string): 'none' | number {
  if (String(value).trim().toLowerCase() === 'none') return 'none'
  if (String(value).trim() === '0') {
    throw new UsageError(
      'Invalid reserved concurrency "0": it would throttle every message; give a whole number from 1 to 10000, or none to reserve nothing.',
      {code: 'INVALID_NUMBER'},
    )
  }

  return validateInteger(value, 'reserved concurrency (or none)', 1, 10_000)
}

/** Raw answers (from flags or prompts, as strings or values) to checked options. */
export interface RawInitOptions {
  arch?: string
  auth?: string
  billing?: string
  certificateArn?: string
  defaultRoute?: boolean
  domain?: string
  fanoutInlineMax?: number | string
  fanoutShards?: number | string
  hostedZoneId?: string
  idAttribute?: string
  jwtAudience?: string
  jwtIssuer?: string
  logRetention?: number | string
  memory?: number | string
  name?: string
  rateBurst?: number | string
  rateLimit?: number | string
  readCapacity?: number | string
  reservedConcurrency?: number | string
  rooms?: boolean
  routeSelection?: string
  routes?: string | string[]
  runtime?: string
  stage?: string
  tableEnv?: string
  timeout?: number | string
  writeCapacity?: number | string
}

/** Checks every answer; the first bad one throws a UsageError naming the value. Missing ones take the defaults. */
export function resolveInitOptions(raw: RawInitOptions & {name: string}): InitOptions {
  const name = validateStackName(raw.name)
  const rateLimit = validateRateLimit(raw.rateLimit ?? INIT_DEFAULTS.rateLimit)
  let rateBurst = 0
  if (rateLimit === 'off') {
    if (raw.rateBurst !== undefined && String(raw.rateBurst) !== '0') {
      throw new UsageError('A rate burst needs a rate limit: drop --rate-burst, or give --rate-limit, e.g. 10/s.', {
        code: 'INVALID_RATE',
      })
    }
  } else {
    const fallback = raw.rateLimit === undefined ? INIT_DEFAULTS.rateBurst : defaultRateBurst(rateLimit)
    rateBurst = validateInteger(raw.rateBurst ?? fallback, 'rate burst', 1, 10_000)
  }

  const auth = validateAuth(raw.auth ?? INIT_DEFAULTS.auth)
  if (auth !== 'jwt' && (raw.jwtIssuer !== undefined || raw.jwtAudience !== undefined)) {
    throw new UsageError('--jwt-issuer and --jwt-audience go with --auth jwt: add --auth jwt, or drop them.', {
      code: 'INVALID_AUTH',
    })
  }

  const domain = resolveCustomDomain(raw)
  const routes =
    raw.routes === undefined
      ? INIT_DEFAULTS.routes
      : Array.isArray(raw.routes)
        ? parseRouteList(raw.routes.join(','))
        : parseRouteList(raw.routes)
  const rooms = raw.rooms ?? INIT_DEFAULTS.rooms
  const taken = rooms ? routes.filter((route) => (ROOM_ROUTES as readonly string[]).includes(route.toLowerCase())) : []
  if (taken.length > 0) {
    throw new UsageError(`--rooms adds the routes ${ROOM_ROUTES.join(', ')}: drop ${taken.join(', ')} from --routes.`, {
      code: 'INVALID_ROUTE',
    })
  }

  return {
    arch: validateArchitecture(raw.arch ?? INIT_DEFAULTS.arch),
    auth,
    billing: validateBilling(raw.billing ?? INIT_DEFAULTS.billing),
    defaultRoute: raw.defaultRoute ?? INIT_DEFAULTS.defaultRoute,
    ...(domain ? {domain} : {}),
    fanoutInlineMax: validateInteger(
      raw.fanoutInlineMax ?? INIT_DEFAULTS.fanoutInlineMax,
      'fan-out inline maximum',
      1,
      MAX_FANOUT_INLINE,
    ),
    fanoutShards: validateInteger(
      raw.fanoutShards ?? INIT_DEFAULTS.fanoutShards,
      'fan-out shards',
      1,
      MAX_FANOUT_SHARDS,
    ),
    idAttribute: validateAttributeName(raw.idAttribute ?? INIT_DEFAULTS.idAttribute),
    ...(auth === 'jwt'
      ? {
          jwtAudience: validateJwtAudience(raw.jwtAudience ?? name.toLowerCase()),
          jwtIssuer: validateJwtIssuer(raw.jwtIssuer ?? LOCAL_JWT_ISSUER),
        }
      : {}),
    logRetention: validateLogRetention(raw.logRetention ?? INIT_DEFAULTS.logRetention),
    memory: validateInteger(raw.memory ?? INIT_DEFAULTS.memory, 'memory (MB)', 128, 10_240),
    name,
    rateBurst,
    rateLimit,
    readCapacity: validateInteger(raw.readCapacity ?? INIT_DEFAULTS.readCapacity, 'read capacity', 1, 40_000),
    reservedConcurrency: validateReservedConcurrency(raw.reservedConcurrency ?? INIT_DEFAULTS.reservedConcurrency),
    rooms,
    routeSelection: validateRouteSelection(raw.routeSelection ?? INIT_DEFAULTS.routeSelection),
    routes,
    runtime: validateRuntime(raw.runtime ?? INIT_DEFAULTS.runtime),
    // Deploy refuses a stage that makes an invalid stack name: refuse it now, not after writing the project.
    stage: validateStackStage(name, raw.stage ?? INIT_DEFAULTS.stage),
    tableEnv: validateEnvVarName(raw.tableEnv ?? INIT_DEFAULTS.tableEnv, 'table environment variable'),
    timeout: validateInteger(raw.timeout ?? INIT_DEFAULTS.timeout, 'timeout (seconds)', 1, 900),
    writeCapacity: validateInteger(raw.writeCapacity ?? INIT_DEFAULTS.writeCapacity, 'write capacity', 1, 40_000),
  }
}
