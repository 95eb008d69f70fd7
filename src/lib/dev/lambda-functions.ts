import {UsageError} from '../errors.js'
import type {ProjectModel} from '../project/index.js'
import {ASYNC_DEFAULTS, type AsyncInvokeConfig} from './async-invocations.js'
import {type EmulatedStack, physicalName, resolveValue} from './environment.js'

/**
 * The functions the Lambda API of `wsapi dev` can reach, read from the template: their names and ARNs as Invoke
 * takes them, and the asynchronous settings of each (EventInvokeConfig, DeadLetterConfig). The API over HTTP is
 * lambda-service.ts's.
 */

export interface LambdaFunction {
  arn: string
  config: AsyncInvokeConfig
  logicalId: string
  name: string
}

export interface FunctionNameParts {
  name: string
  qualifier?: string
}

/**
 * A FunctionName as Invoke takes it: `my-function`, `my-function:qualifier`, `123456789012:function:my-function`
 * or `arn:aws:lambda:us-east-1:123456789012:function:my-function[:qualifier]`. Undefined when it is none of these,
 * or names another account or Region.
 */
export function parseFunctionName(
  raw: string,
  where: {accountId: string; region: string},
): FunctionNameParts | undefined {
  const match =
    /^(?:(?:arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(\d{12}):function:)?([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/.exec(
      raw,
    )
  if (!match) return undefined
  const [, region, account, name, qualifier] = match
  if ((region !== undefined && region !== where.region) || (account !== undefined && account !== where.accountId))
    return undefined
  return {name, qualifier}
}

function integerProperty(value: unknown, what: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(
      `template.yaml: ${what} is ${JSON.stringify(value)}; it must be a whole number from ${min} to ${max}.`,
      {code: 'INVALID_TEMPLATE'},
    )
  }

  return number
}

function resolved(stack: EmulatedStack, value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined
  try {
    return resolveValue(stack, value)
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`template.yaml: ${what}: ${(error as Error).message}.`, {code: 'UNRESOLVABLE_VALUE'})
  }
}

/**
 * The functions Invoke can reach, by name, each with its asynchronous settings: its `AWS::Lambda::EventInvokeConfig`
 * (for `$LATEST`; versions and aliases are not emulated) and `DeadLetterConfig`. `warn` hears what dev cannot honour.
 */
export function lambdaFunctions(
  stack: EmulatedStack,
  project: ProjectModel,
  warn: (line: string) => void = () => {},
): Map<string, LambdaFunction> {
  const functions = new Map<string, LambdaFunction>()
  for (const logicalId of Object.keys(project.functions)) {
    const name = physicalName(stack, logicalId)
    const deadLetter = (
      stack.template.Resources[logicalId].Properties?.DeadLetterConfig as {TargetArn?: unknown} | undefined
    )?.TargetArn
    functions.set(name, {
      arn: `arn:aws:lambda:${stack.region}:${stack.accountId}:function:${name}`,
      config: {
        ...ASYNC_DEFAULTS,
        deadLetterTarget: resolved(stack, deadLetter, `function ${logicalId}, DeadLetterConfig.TargetArn`),
      },
      logicalId,
      name,
    })
  }

  for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::EventInvokeConfig') continue
    const properties = resource.Properties ?? {}
    const what = `EventInvokeConfig ${logicalId}`
    const target = resolved(stack, properties.FunctionName, `${what}, FunctionName`) ?? ''
    const parts = parseFunctionName(target, stack)
    const fn = parts && functions.get(parts.name)
    if (!fn)
      throw new UsageError(
        `template.yaml: ${what}: FunctionName ${JSON.stringify(target)} is no function of this template; use !Ref <Function>.`,
        {code: 'INVALID_TEMPLATE'},
      )
    const qualifier = resolved(stack, properties.Qualifier, `${what}, Qualifier`) ?? '$LATEST'
    if (qualifier !== '$LATEST') {
      warn(`${what} is for ${fn.logicalId}:${qualifier}; wsapi dev runs $LATEST only, so it does not apply here.`)
      continue
    }

    const destinations = (properties.DestinationConfig ?? {}) as {
      OnFailure?: {Destination?: unknown}
      OnSuccess?: {Destination?: unknown}
    }
    fn.config = {
      deadLetterTarget: fn.config.deadLetterTarget,
      maximumEventAgeSeconds: integerProperty(
        properties.MaximumEventAgeInSeconds,
        `${what}, MaximumEventAgeInSeconds`,
        60,
        21_600,
        ASYNC_DEFAULTS.maximumEventAgeSeconds,
      ),
      maximumRetryAttempts: integerProperty(
        properties.MaximumRetryAttempts,
        `${what}, MaximumRetryAttempts`,
        0,
        2,
        ASYNC_DEFAULTS.maximumRetryAttempts,
      ),
      onFailure: resolved(
        stack,
        destinations.OnFailure?.Destination,
        `${what}, DestinationConfig.OnFailure.Destination`,
      ),
      onSuccess: resolved(
        stack,
        destinations.OnSuccess?.Destination,
        `${what}, DestinationConfig.OnSuccess.Destination`,
      ),
    }
  }

  return functions
}
