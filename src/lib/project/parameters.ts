import {UsageError} from '../errors.js'
import type {CfnParameter} from './cfn.js'

/** The template's parameters: the `--parameter` flags, and the values in effect for a command. */

/**
 * `--parameter Key=Value` flags (repeatable) → {Key: Value}. The value may hold `=`; a key given twice is
 * an error; the message never repeats a value, since values may be secrets.
 */
export function parseParameterFlags(values: string[] = []): Record<string, string> {
  const parameters: Record<string, string> = {}
  for (const item of values) {
    const equals = item.indexOf('=')
    const key = equals === -1 ? item : item.slice(0, equals)
    if (equals <= 0 || !/^[A-Za-z0-9]+$/.test(key)) {
      throw new UsageError(
        `Invalid --parameter ${JSON.stringify(equals === -1 ? item : `${key}=…`)}: write Key=Value, e.g. --parameter AuthTokenSecret=<secret>.`,
        {code: 'INVALID_PARAMETER'},
      )
    }

    if (Object.hasOwn(parameters, key))
      throw new UsageError(`--parameter ${key} is given twice: give each parameter once.`, {code: 'INVALID_PARAMETER'})
    parameters[key] = item.slice(equals + 1)
  }

  return parameters
}

/** The parameter values in effect: the template's defaults, then the environment's, then the overrides (each one declared). */
export function parameterValues(
  file: string,
  declared: Record<string, CfnParameter> | undefined,
  overrides: Record<string, string>,
  fromEnvironment: Record<string, string> = {},
): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [name, parameter] of Object.entries(declared ?? {})) {
    if (parameter.Default !== undefined) values[name] = String(parameter.Default)
    if (Object.hasOwn(fromEnvironment, name)) values[name] = fromEnvironment[name]
  }

  for (const [name, value] of Object.entries(overrides)) {
    if (!declared || !Object.hasOwn(declared, name)) {
      const known = Object.keys(declared ?? {})
      throw new UsageError(
        `Unknown parameter ${JSON.stringify(name)}: ${file} declares ${known.length > 0 ? known.join(', ') : 'no parameters'}.`,
        {code: 'UNKNOWN_PARAMETER'},
      )
    }

    values[name] = value
  }

  return values
}
