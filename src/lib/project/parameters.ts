import {UsageError} from '../errors.js'

/** `--parameter Key=Value` flags (repeatable) → {Key: Value}; the value may itself contain `=`. */
export function parseParameterFlags(values: string[] = []): Record<string, string> {
  const parameters: Record<string, string> = {}
  for (const value of values) {
    const equals = value.indexOf('=')
    if (equals <= 0) throw new UsageError(`Invalid --parameter ${JSON.stringify(value)}: write Name=Value, e.g. --parameter AuthTokenSecret=0123456789abcdef.`, {code: 'INVALID_PARAMETER'})
    parameters[value.slice(0, equals)] = value.slice(equals + 1)
  }

  return parameters
}
