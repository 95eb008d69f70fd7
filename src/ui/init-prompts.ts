import {
  ARCHITECTURES,
  LAMBDA_RUNTIMES,
  parseRouteList,
  validateAttributeName,
  validateEnvVarName,
  validateInteger,
  validateStackName,
  validateStackStage,
  validateStage,
} from '../lib/project/index.js'
import {ExitCode, WsapiError} from '../lib/errors.js'
import {
  defaultRateBurst,
  INIT_DEFAULTS,
  type RawInitOptions,
  validateLogRetention,
  validateRateLimit,
  validateReservedConcurrency,
  validateRouteSelection,
} from '../lib/scaffold/index.js'
import {askYesNo} from './yes-no.js'

/** Turns a library validator into an inquirer one: true, or the error message to show under the answer. */
function check(validate: (value: string) => unknown) {
  return (value: string): string | true => {
    try {
      validate(value)
      return true
    } catch (error) {
      return (error as Error).message
    }
  }
}

/** The stage, and with a valid project name the stack `<name>-<stage>` that deploy will create. */
function checkStage(name: string | undefined) {
  return check((value) => {
    let validName = true
    try {
      validateStackName(name ?? '')
    } catch {
      validName = false
    }

    return validName ? validateStackStage(name!, value) : validateStage(value)
  })
}

/** Ctrl-C (or Ctrl-D) at a prompt: nothing has been written yet, so say so and stop with 130. */
async function cancellable<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask()
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new WsapiError('Cancelled, nothing written.', {code: 'CANCELLED', exit: ExitCode.interrupted})
    }

    throw error
  }
}

/**
 * Asks, in order, each question whose answer is not already given (by a flag). Loaded only when
 * stdin is a TTY, so scripted runs never pull in inquirer.
 */
export async function askInitQuestions(
  given: RawInitOptions,
  defaultName: string | undefined,
): Promise<RawInitOptions> {
  return cancellable(() => askEach(given, defaultName))
}

async function askEach(given: RawInitOptions, defaultName: string | undefined): Promise<RawInitOptions> {
  const {input, select} = await import('@inquirer/prompts')
  const answers: RawInitOptions = {...given}
  answers.name ??= await input({
    default: defaultName,
    message: 'Project (stack) name',
    required: true,
    validate: check((value) => validateStackName(value)),
  })
  answers.stage ??= await input({default: INIT_DEFAULTS.stage, message: 'Stage', validate: checkStage(answers.name)})
  answers.routeSelection ??= await input({
    default: INIT_DEFAULTS.routeSelection,
    message: 'Route selection expression',
    validate: check(validateRouteSelection),
  })
  answers.routes ??= await input({
    default: INIT_DEFAULTS.routes.join(','),
    message: 'Custom routes (comma-separated)',
    validate: check(parseRouteList),
  })
  answers.defaultRoute ??= await askYesNo(
    input,
    'Add a $default route that tells senders how to use the API?',
    INIT_DEFAULTS.defaultRoute,
  )
  answers.rooms ??= await askYesNo(
    input,
    'Add rooms (join, leave, send to a room), direct messages and whoami?',
    INIT_DEFAULTS.rooms,
  )
  answers.idAttribute ??= await input({
    default: INIT_DEFAULTS.idAttribute,
    message: 'Connection-id attribute in the table',
    validate: check(validateAttributeName),
  })
  answers.tableEnv ??= await input({
    default: INIT_DEFAULTS.tableEnv,
    message: 'Environment variable carrying the table name',
    validate: check((value) => validateEnvVarName(value)),
  })
  answers.billing ??= await select({
    choices: [
      {name: 'on-demand (pay per request)', value: 'on-demand'},
      {name: 'provisioned (fixed read/write capacity)', value: 'provisioned'},
    ],
    default: INIT_DEFAULTS.billing,
    message: 'Table billing mode',
  })
  if (answers.billing === 'provisioned') {
    answers.readCapacity ??= await input({
      default: String(INIT_DEFAULTS.readCapacity),
      message: 'Read capacity units',
      validate: check((value) => validateInteger(value, 'read capacity', 1, 40_000)),
    })
    answers.writeCapacity ??= await input({
      default: String(INIT_DEFAULTS.writeCapacity),
      message: 'Write capacity units',
      validate: check((value) => validateInteger(value, 'write capacity', 1, 40_000)),
    })
  }

  answers.runtime ??= await select({
    choices: LAMBDA_RUNTIMES.map((value) => ({name: value, value})),
    default: INIT_DEFAULTS.runtime,
    message: 'Lambda runtime',
  })
  answers.arch ??= await select({
    choices: ARCHITECTURES.map((value) => ({name: value, value})),
    default: INIT_DEFAULTS.arch,
    message: 'Architecture',
  })
  answers.memory ??= await input({
    default: String(INIT_DEFAULTS.memory),
    message: 'Memory (MB)',
    validate: check((value) => validateInteger(value, 'memory (MB)', 128, 10_240)),
  })
  answers.timeout ??= await input({
    default: String(INIT_DEFAULTS.timeout),
    message: 'Timeout (seconds)',
    validate: check((value) => validateInteger(value, 'timeout (seconds)', 1, 900)),
  })
  answers.logRetention ??= await input({
    default: String(INIT_DEFAULTS.logRetention),
    message: 'Log retention (days)',
    validate: check(validateLogRetention),
  })
  answers.rateLimit ??= await input({
    default: INIT_DEFAULTS.rateLimit,
    message: 'Messages per connection to broadcast routes (N/s, N/m or off)',
    validate: check(validateRateLimit),
  })
  const rateLimit = validateRateLimit(answers.rateLimit)
  if (rateLimit !== 'off') {
    answers.rateBurst ??= await input({
      default: String(rateLimit === INIT_DEFAULTS.rateLimit ? INIT_DEFAULTS.rateBurst : defaultRateBurst(rateLimit)),
      message: 'Messages per connection at once (burst)',
      validate: check((value) => validateInteger(value, 'rate burst', 1, 10_000)),
    })
  }

  answers.reservedConcurrency ??= await input({
    default: String(INIT_DEFAULTS.reservedConcurrency),
    message: 'Reserved concurrency of each broadcast function (or none)',
    validate: check(validateReservedConcurrency),
  })
  answers.auth ??= await select({
    choices: [
      {name: 'none: anyone with the URL may connect', value: 'none'},
      {name: 'token: a Lambda authorizer checks ?token=<secret> (the token kept in Secrets Manager)', value: 'token'},
      {
        name: 'jwt: a Lambda authorizer verifies JWTs from Cognito or any OpenID Connect issuer (wsapi dev can issue them)',
        value: 'jwt',
      },
      {name: 'iam: callers sign $connect with AWS credentials (SigV4)', value: 'iam'},
    ],
    default: INIT_DEFAULTS.auth,
    message: '$connect authorization',
  })
  return answers
}
