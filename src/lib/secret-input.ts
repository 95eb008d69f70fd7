import {UsageError} from './errors.js'
import {parseParameterFlags} from './project/parameters.js'

/**
 * Secrets reach wsapi without appearing on a command line (where `ps` and shell history show them): from an
 * environment variable or from standard input, as well as from the flag. One scheme for every command:
 *   the $connect token (connect, bench):  --token-stdin, or WSAPI_TOKEN, or --token
 *   a template parameter (deploy, dev):   --parameter-stdin Name, or WSAPI_PARAMETER_<Name>, or --parameter Name=Value
 * A value given two ways is refused (exit 2) rather than one silently winning. Messages never repeat a value.
 */

export const TOKEN_ENV = 'WSAPI_TOKEN'
export const PARAMETER_ENV_PREFIX = 'WSAPI_PARAMETER_'

/** Reads all of standard input; a secret is one line, so one trailing line break is dropped. Refuses a terminal. */
export async function readSecretFromStdin(flag: string, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) {
    throw new UsageError(
      `${flag} reads the secret from a pipe (e.g. \`pass show api-token | wsapi …\`), not from a terminal; in a terminal, use the environment variable instead.`,
      {
        code: 'SECRET_STDIN_TTY',
      },
    )
  }

  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  const value = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
  if (value === '')
    throw new UsageError(`${flag}: standard input was empty; pipe the secret in.`, {code: 'EMPTY_SECRET'})
  return value
}

export interface TokenInput {
  env: NodeJS.ProcessEnv
  /** --token, when given. */
  flag?: string
  /** Reads standard input (readSecretFromStdin); called only for --token-stdin. */
  readStdin: () => Promise<string>
  /** --token-stdin. */
  stdin: boolean
}

/** The $connect token from --token, WSAPI_TOKEN or --token-stdin (at most one), or undefined. */
export async function resolveTokenInput(input: TokenInput): Promise<string | undefined> {
  const fromEnv = input.env[TOKEN_ENV]
  const ways = [
    input.flag !== undefined ? '--token' : '',
    fromEnv !== undefined ? TOKEN_ENV : '',
    input.stdin ? '--token-stdin' : '',
  ].filter(Boolean)
  if (ways.length > 1)
    throw new UsageError(`The token is given ${ways.length} ways (${ways.join(', ')}): give it one way only.`, {
      code: 'AMBIGUOUS_SECRET',
    })
  if (input.stdin) return input.readStdin()
  if (fromEnv !== undefined && fromEnv === '')
    throw new UsageError(`${TOKEN_ENV} is set but empty: set it to the token, or unset it.`, {code: 'EMPTY_SECRET'})
  return fromEnv ?? input.flag
}

export interface ParameterInput {
  env: NodeJS.ProcessEnv
  /** --parameter Name=Value flags. */
  flags?: string[]
  /** Reads standard input; called only for --parameter-stdin. */
  readStdin: () => Promise<string>
  /** --parameter-stdin Name. */
  stdinName?: string
}

export interface ParameterValues {
  /** From WSAPI_PARAMETER_<Name>: they apply to the parameters the template declares and are ignored otherwise (the environment may be shared by several projects). */
  fromEnvironment: Record<string, string>
  /** From --parameter and --parameter-stdin: the template must declare them. */
  given: Record<string, string>
}

/** Template parameter values from flags, standard input and the environment; a name given two ways is refused. */
export async function resolveParameterInput(input: ParameterInput): Promise<ParameterValues> {
  const given = parseParameterFlags(input.flags)
  const fromEnvironment: Record<string, string> = {}
  for (const [variable, value] of Object.entries(input.env)) {
    if (!variable.startsWith(PARAMETER_ENV_PREFIX) || value === undefined) continue
    const name = variable.slice(PARAMETER_ENV_PREFIX.length)
    if (!/^[A-Za-z0-9]+$/.test(name))
      throw new UsageError(
        `${variable}: a parameter name has only letters and digits, e.g. ${PARAMETER_ENV_PREFIX}AuthTokenSecret.`,
        {code: 'INVALID_PARAMETER'},
      )
    if (Object.hasOwn(given, name))
      throw new UsageError(`${name} is given by --parameter and by ${variable}: give it one way only.`, {
        code: 'AMBIGUOUS_SECRET',
      })
    fromEnvironment[name] = value
  }

  const name = input.stdinName
  if (name !== undefined) {
    if (!/^[A-Za-z0-9]+$/.test(name))
      throw new UsageError(
        `Invalid --parameter-stdin ${JSON.stringify(name)}: give the parameter's name, e.g. --parameter-stdin AuthTokenSecret.`,
        {code: 'INVALID_PARAMETER'},
      )
    const other = Object.hasOwn(given, name)
      ? '--parameter'
      : Object.hasOwn(fromEnvironment, name)
        ? `${PARAMETER_ENV_PREFIX}${name}`
        : undefined
    if (other)
      throw new UsageError(`${name} is given by --parameter-stdin and by ${other}: give it one way only.`, {
        code: 'AMBIGUOUS_SECRET',
      })
    given[name] = await input.readStdin()
  }

  return {fromEnvironment, given}
}

/** The values for a template: the given ones, plus the environment's for declared parameters not given. */
export function parametersFor(declared: string[], values: ParameterValues): Record<string, string> {
  const fromEnvironment = Object.fromEntries(
    Object.entries(values.fromEnvironment).filter(([name]) => declared.includes(name)),
  )
  return {...fromEnvironment, ...values.given}
}
