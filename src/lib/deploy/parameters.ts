import type {ParameterInput, StackInfo} from '../aws/index.js'
import {UsageError} from '../errors.js'
import type {CfnTemplate} from '../project/index.js'

/** A template parameter and the constraints CloudFormation checks, so wsapi can check them first. */
export interface TemplateParameter {
  allowedPattern?: string
  allowedValues?: string[]
  constraintDescription?: string
  default?: string
  description?: string
  key: string
  maxLength?: number
  minLength?: number
  /** A secret: never printed, asked for with a hidden prompt. */
  noEcho: boolean
}

/** Parameters wsapi sets itself, and the flag to use instead. */
export const MANAGED_PARAMETERS: Record<string, string> = {ArtifactBucket: '--s3-bucket', StageName: '--stage'}

export function templateParameters(template: CfnTemplate): TemplateParameter[] {
  return Object.entries(template.Parameters ?? {}).map(([key, raw]) => {
    const parameter = raw as Record<string, unknown>
    const text = (value: unknown) => (value === undefined ? undefined : String(value))
    const number = (value: unknown) => (value === undefined ? undefined : Number(value))
    return {
      allowedPattern: text(parameter.AllowedPattern),
      allowedValues: Array.isArray(parameter.AllowedValues) ? parameter.AllowedValues.map(String) : undefined,
      constraintDescription: text(parameter.ConstraintDescription),
      default: text(parameter.Default),
      description: text(parameter.Description),
      key,
      maxLength: number(parameter.MaxLength),
      minLength: number(parameter.MinLength),
      noEcho: parameter.NoEcho === true || parameter.NoEcho === 'true',
    }
  })
}

/** What is wrong with a value, in words that never repeat a secret value; undefined when it is fine. */
export function parameterProblem(parameter: TemplateParameter, value: string): string | undefined {
  const shown = parameter.noEcho ? 'the value' : JSON.stringify(value)
  const why = parameter.constraintDescription ? ` (${parameter.constraintDescription})` : ''
  if (parameter.minLength !== undefined && value.length < parameter.minLength)
    return `${parameter.key} needs at least ${parameter.minLength} characters${why}`
  if (parameter.maxLength !== undefined && value.length > parameter.maxLength)
    return `${parameter.key} takes at most ${parameter.maxLength} characters${why}`
  if (parameter.allowedPattern !== undefined && !new RegExp(`^(?:${parameter.allowedPattern})$`).test(value)) {
    return `${parameter.key}: ${shown} does not match ${parameter.allowedPattern}${why}`
  }

  if (parameter.allowedValues && !parameter.allowedValues.includes(value))
    return `${parameter.key}: ${shown} is not one of ${parameter.allowedValues.join(', ')}${why}`
  return undefined
}

/** Checks `--parameter` keys and values against the template before anything is built or uploaded. */
export function checkGivenParameters(declared: TemplateParameter[], given: Record<string, string>): void {
  for (const [key, value] of Object.entries(given)) {
    if (Object.hasOwn(MANAGED_PARAMETERS, key)) {
      throw new UsageError(`--parameter ${key} is set by wsapi: use ${MANAGED_PARAMETERS[key]} instead.`, {
        code: 'INVALID_PARAMETER',
      })
    }

    const parameter = declared.find((item) => item.key === key)
    if (!parameter) {
      const known = declared.filter((item) => !Object.hasOwn(MANAGED_PARAMETERS, item.key)).map((item) => item.key)
      throw new UsageError(
        `Unknown --parameter ${key}: template.yaml declares ${known.length > 0 ? known.join(', ') : 'no other parameters'}.`,
        {code: 'UNKNOWN_PARAMETER'},
      )
    }

    const problem = parameterProblem(parameter, value)
    if (problem) throw new UsageError(`Invalid --parameter ${problem}.`, {code: 'INVALID_PARAMETER'})
  }
}

/** Asks for a parameter's value (a hidden prompt for NoEcho ones); supplied by src/ui when a terminal is there. */
export type ParameterPrompt = (parameter: TemplateParameter) => Promise<string>

export interface ResolveParametersOptions {
  declared: TemplateParameter[]
  /** The stack being updated: parameters not given keep its values (UsePreviousValue). */
  existing?: StackInfo
  given: Record<string, string>
  /** Values wsapi sets (StageName, ArtifactBucket). */
  managed: Record<string, string>
  prompt?: ParameterPrompt
}

/** True if a run without a prompt would lack a value: a parameter with no default, not given, not in the stack. */
export function missingParameters(options: Omit<ResolveParametersOptions, 'prompt'>): TemplateParameter[] {
  const previous = new Set(options.existing?.parameters.map((parameter) => parameter.key))
  return options.declared.filter(
    (parameter) =>
      parameter.default === undefined &&
      !Object.hasOwn(options.given, parameter.key) &&
      !Object.hasOwn(options.managed, parameter.key) &&
      !previous.has(parameter.key),
  )
}

export function missingParameterError(parameter: TemplateParameter): UsageError {
  const hint = parameter.description ? ` (${parameter.description.replace(/\.$/, '')})` : ''
  const how = parameter.noEcho
    ? `set WSAPI_PARAMETER_${parameter.key} or pipe it to --parameter-stdin ${parameter.key} (a --parameter value shows in \`ps\`)`
    : `pass --parameter ${parameter.key}=<value>`
  return new UsageError(`Parameter ${parameter.key} has no value${hint}: ${how}, or run in a terminal to be asked.`, {
    code: 'MISSING_PARAMETER',
  })
}

/**
 * The change set's parameters. Each declared parameter gets, in order: wsapi's own value (StageName,
 * ArtifactBucket); the `--parameter` value; on an update, the stack's current value (UsePreviousValue, so a
 * secret need not be given again); the template default (by leaving it out); else the prompt's answer.
 * Returns the secrets among the values, for redaction.
 */
export async function resolveParameters(
  options: ResolveParametersOptions,
): Promise<{parameters: ParameterInput[]; secrets: string[]}> {
  const previous = new Set(options.existing?.parameters.map((parameter) => parameter.key))
  const parameters: ParameterInput[] = []
  const secrets: string[] = []
  for (const parameter of options.declared) {
    const {key} = parameter
    let value = options.managed[key] ?? options.given[key]
    if (value === undefined && previous.has(key)) {
      parameters.push({key, usePreviousValue: true})
      continue
    }

    if (value === undefined && parameter.default !== undefined) continue
    if (value === undefined) {
      if (!options.prompt) throw missingParameterError(parameter)
      // eslint-disable-next-line no-await-in-loop
      value = await options.prompt(parameter)
    }

    if (parameter.noEcho && value !== '') secrets.push(value)
    parameters.push({key, value})
  }

  return {parameters, secrets}
}
