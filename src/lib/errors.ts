/** Exit codes documented in the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** Stopped by Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
} as const
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export interface WsapiErrorOptions {
  /** Stable machine-readable code, e.g. `INVALID_STAGE`. */
  code?: string
  /** Process exit code the CLI uses for this error. */
  exit?: ExitCodeValue
  cause?: unknown
}

/**
 * An expected failure with a one-line message that says what to do.
 * The CLI prints `message` and exits with `exit`; anything else is a bug and gets a stack trace.
 */
export class WsapiError extends Error {
  readonly code: string
  readonly exit: ExitCodeValue

  constructor(message: string, options: WsapiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'WsapiError'
    this.code = options.code ?? 'WSAPI_ERROR'
    this.exit = options.exit ?? ExitCode.failure
  }

  /** Works across duplicate copies of this module (bundled runtime, tests). */
  static is(value: unknown): value is WsapiError {
    return (
      value instanceof Error &&
      typeof (value as Partial<WsapiError>).exit === 'number' &&
      typeof (value as Partial<WsapiError>).code === 'string'
    )
  }
}

/** Bad flags, names, templates or other input the user can fix: exit 2. */
export class UsageError extends WsapiError {
  constructor(message: string, options: Omit<WsapiErrorOptions, 'exit'> = {}) {
    super(message, {...options, code: options.code ?? 'USAGE', exit: ExitCode.usage})
    this.name = 'UsageError'
  }
}
