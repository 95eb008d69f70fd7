import {UsageError} from '../errors.js'

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
