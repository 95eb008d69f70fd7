import {UsageError} from '../errors.js'

/** Values `wsapi init` accepts, checked the way AWS checks them, with messages that say how to fix them. */

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/
// API Gateway accepts most printable characters in a route key; we keep to those that are safe in
// an execute-api ARN, a CloudFormation !Sub string, a YAML scalar and a file name.
const ROUTE_KEY = /^[A-Za-z0-9_][A-Za-z0-9._:/@+~-]{0,127}$/
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/
const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_-]{0,254}$/

/** Lambda refuses these as environment variable names. */
const LAMBDA_RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
])

/** Environment variables the generated functions already use for themselves. */
export const GENERATED_ENV_NAMES = [
  'NODE_OPTIONS',
  'BROADCAST_CONCURRENCY',
  'RATE_LIMIT',
  'RATE_LIMIT_BURST',
  'AUTH_TOKEN_SECRET_ARN',
  'WSAPI_MANAGEMENT_ENDPOINT',
] as const

/** Attributes the generated handlers write next to the connection id (bucketFullAt: the rate limit, runtime/rate-limit.ts). */
export const RESERVED_ATTRIBUTES = ['connectedAt', 'expiresAt', 'bucketFullAt'] as const

export const LAMBDA_RUNTIMES = ['nodejs22.x', 'nodejs24.x', 'nodejs20.x'] as const
export type LambdaRuntime = (typeof LAMBDA_RUNTIMES)[number]
/** Runtimes AWS Lambda has deprecated: `wsapi init` still writes them, with a warning naming the default instead. */
export const DEPRECATED_RUNTIMES: readonly LambdaRuntime[] = ['nodejs20.x']

export const ARCHITECTURES = ['arm64', 'x86_64'] as const
export type Architecture = (typeof ARCHITECTURES)[number]

/** True when `value` can name a CloudFormation stack. */
export function isValidStackName(value: string): boolean {
  return STACK_NAME.test(value)
}

export function validateStackName(value: string, what = 'project name'): string {
  if (!STACK_NAME.test(value)) {
    throw new UsageError(
      `Invalid ${what} ${JSON.stringify(value)}: it becomes the CloudFormation stack name, so start with a letter and use only letters, digits and "-" (at most 128 characters).`,
      {code: 'INVALID_NAME'},
    )
  }

  return value
}

/** Turns a folder name into a valid stack name (`my_app 2` → `my-app-2`), or undefined when nothing usable is left. */
export function stackNameFromDirectory(basename: string): string | undefined {
  const cleaned = basename
    // Accents go, letters stay: `Ünïcode` → `Unicode` (not `n-code`).
    .normalize('NFKD')
    .replaceAll(/\p{M}/gu, '')
    .replaceAll(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^[^A-Za-z]+/, '')
    .replaceAll(/-+/g, '-')
    .replace(/-$/, '')
    .slice(0, 128)
  return STACK_NAME.test(cleaned) ? cleaned : undefined
}

export function validateStage(value: string): string {
  if (!STAGE_NAME.test(value)) {
    throw new UsageError(
      `Invalid stage ${JSON.stringify(value)}: use only letters, digits, "-" and "_" (1 to 128 characters), e.g. v1.`,
      {code: 'INVALID_STAGE'},
    )
  }

  return value
}

/**
 * A stage that makes a valid CloudFormation stack name `<project>-<stage>`. API Gateway allows "_" in a
 * stage, CloudFormation allows none in a stack name, so init and deploy refuse the same stages with the
 * same suggestion.
 */
export function validateStackStage(project: string, stage: string): string {
  validateStage(stage)
  const stackName = `${project}-${stage}`
  if (STACK_NAME.test(stackName)) return stage
  const dashed = stage.replaceAll('_', '-')
  const fix = STACK_NAME.test(`${project}-${dashed}`)
    ? `use --stage ${dashed}`
    : 'choose a shorter project name or stage'
  throw new UsageError(
    `The stack name ${JSON.stringify(stackName)} (<project>-<stage>) is not valid for CloudFormation (letters, digits and "-", at most 128 characters): ${fix}.`,
    {code: 'INVALID_STACK_NAME'},
  )
}

/**
 * Why a route key cannot hold `*`, or undefined. Each route's Lambda permission ends its SourceArn with the
 * route key, and `*` there is a wildcard: `a*` would let every route starting with `a` invoke the function.
 */
export function routeKeyWildcardProblem(key: string): string | undefined {
  if (!key.includes('*')) return undefined
  return `"*" is not allowed in a route key: the route's Lambda permission ends its SourceArn with the key, where "*" is a wildcard that would let other routes invoke the function. Rename the route.`
}

export function validateRouteKey(value: string): string {
  if (value.startsWith('$')) {
    throw new UsageError(
      `Invalid route ${JSON.stringify(value)}: keys starting with "$" are reserved by API Gateway ($connect, $disconnect, $default); use --default-route for $default.`,
      {code: 'INVALID_ROUTE'},
    )
  }

  const wildcard = routeKeyWildcardProblem(value)
  if (wildcard) throw new UsageError(`Invalid route ${JSON.stringify(value)}: ${wildcard}`, {code: 'INVALID_ROUTE'})
  if (!ROUTE_KEY.test(value)) {
    throw new UsageError(
      `Invalid route ${JSON.stringify(value)}: start with a letter, digit or "_" and use only letters, digits and . _ : / @ + ~ - (at most 128 characters).`,
      {code: 'INVALID_ROUTE'},
    )
  }

  return value
}

/** Parses `a, b,c` into route keys: each valid, none empty, no duplicates. */
export function parseRouteList(value: string): string[] {
  const trimmed = value.trim()
  if (trimmed === '') return []
  const routes = trimmed.split(',').map((route) => route.trim())
  const seen = new Set<string>()
  for (const route of routes) {
    if (route === '') {
      throw new UsageError(
        `Invalid routes ${JSON.stringify(value)}: an empty entry; separate route keys with single commas, e.g. sendmessage,join.`,
        {
          code: 'INVALID_ROUTE',
        },
      )
    }

    validateRouteKey(route)
    if (seen.has(route)) {
      throw new UsageError(`Invalid routes ${JSON.stringify(value)}: route ${JSON.stringify(route)} is listed twice.`, {
        code: 'DUPLICATE_ROUTE',
      })
    }

    seen.add(route)
  }

  return routes
}

export function validateEnvVarName(value: string, what = 'environment variable'): string {
  if (!ENV_VAR.test(value)) {
    throw new UsageError(
      `Invalid ${what} ${JSON.stringify(value)}: use letters, digits and "_", not starting with a digit.`,
      {code: 'INVALID_ENV_NAME'},
    )
  }

  if (LAMBDA_RESERVED_ENV.has(value) || (GENERATED_ENV_NAMES as readonly string[]).includes(value)) {
    throw new UsageError(
      `Invalid ${what} ${JSON.stringify(value)}: the name is reserved by Lambda or by the generated code; choose another, e.g. CONNECTIONS_TABLE.`,
      {
        code: 'INVALID_ENV_NAME',
      },
    )
  }

  return value
}

export function validateAttributeName(value: string): string {
  if (!ATTRIBUTE.test(value)) {
    throw new UsageError(
      `Invalid connection-id attribute ${JSON.stringify(value)}: use letters, digits, "_" and "-", starting with a letter or "_".`,
      {
        code: 'INVALID_ATTRIBUTE',
      },
    )
  }

  if ((RESERVED_ATTRIBUTES as readonly string[]).includes(value)) {
    throw new UsageError(
      `Invalid connection-id attribute ${JSON.stringify(value)}: the generated handlers already store ${RESERVED_ATTRIBUTES.slice(0, -1).join(', ')} and ${RESERVED_ATTRIBUTES.at(-1)}.`,
      {
        code: 'INVALID_ATTRIBUTE',
      },
    )
  }

  return value
}

export function validateRuntime(value: string): LambdaRuntime {
  if (!(LAMBDA_RUNTIMES as readonly string[]).includes(value)) {
    throw new UsageError(`Invalid runtime ${JSON.stringify(value)}: choose one of ${LAMBDA_RUNTIMES.join(', ')}.`, {
      code: 'INVALID_RUNTIME',
    })
  }

  return value as LambdaRuntime
}

export function validateArchitecture(value: string): Architecture {
  if (!(ARCHITECTURES as readonly string[]).includes(value)) {
    throw new UsageError(`Invalid architecture ${JSON.stringify(value)}: choose arm64 or x86_64.`, {
      code: 'INVALID_ARCH',
    })
  }

  return value as Architecture
}

/** An integer within [min, max], given as a number or a flag string. */
export function validateInteger(value: number | string, what: string, min: number, max: number): number {
  const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(
      `Invalid ${what} ${JSON.stringify(String(value))}: give a whole number from ${min} to ${max}.`,
      {code: 'INVALID_NUMBER'},
    )
  }

  return number
}

/** `send-message` / `chat/join` → `SendMessage` / `ChatJoin`: the stem of CloudFormation logical ids. */
export function pascalCase(value: string): string {
  const words = value.split(/[^A-Za-z0-9]+/).filter(Boolean)
  const joined = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('')
  return /^[A-Za-z]/.test(joined) ? joined : `R${joined}`
}

/** `chat/join` → `chat-join`: a file name stem for a route's handler. */
export function fileStem(value: string): string {
  return value
    .replaceAll(/[^A-Za-z0-9_-]+/g, '-')
    .replaceAll(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()
}
