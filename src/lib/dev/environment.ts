import {createHash} from 'node:crypto'

import {UsageError} from '../errors.js'
import type {CfnTemplate, FunctionModel} from '../project/index.js'

/** Values CloudFormation would supply, made up locally: names follow the stack, the account is all zeros. */
export interface EmulatedStack {
  accountId: string
  apiId: string
  /** ws://host:port of the emulator, for Fn::GetAtt Api.ApiEndpoint. */
  apiEndpoint: string
  /** http://host:port of the emulator (Lambda and SQS APIs), for queue URLs; default: apiEndpoint over http. */
  httpEndpoint?: string
  parameters: Record<string, string>
  region: string
  stackName: string
  stageName: string
  template: CfnTemplate
}

export const LOCAL_ACCOUNT_ID = '000000000000'
export const DEFAULT_REGION = 'us-east-1'

/** A template value wsapi dev cannot work out locally; callers turn it into a UsageError naming where it is. */
export class Unresolvable extends Error {}

function stringProperty(stack: EmulatedStack, logicalId: string, property: string): string | undefined {
  const value = stack.template.Resources[logicalId]?.Properties?.[property]
  return value === undefined ? undefined : resolveValue(stack, value)
}

/** The physical name CloudFormation would give a resource: its name property, else <stack>-<logicalId>. */
export function physicalName(stack: EmulatedStack, logicalId: string): string {
  const resource = stack.template.Resources[logicalId]
  switch (resource.Type) {
    case 'AWS::ApiGatewayV2::Api': {
      return stack.apiId
    }

    case 'AWS::ApiGatewayV2::Stage': {
      return stack.stageName
    }

    case 'AWS::DynamoDB::Table': {
      return stringProperty(stack, logicalId, 'TableName') ?? `${stack.stackName}-${logicalId}`
    }

    case 'AWS::Lambda::Function': {
      return stringProperty(stack, logicalId, 'FunctionName') ?? `${stack.stackName}-${logicalId}`
    }

    case 'AWS::Logs::LogGroup': {
      return stringProperty(stack, logicalId, 'LogGroupName') ?? `${stack.stackName}-${logicalId}`
    }

    case 'AWS::SecretsManager::Secret': {
      return stringProperty(stack, logicalId, 'Name') ?? `${stack.stackName}-${logicalId}`
    }

    case 'AWS::SQS::Queue': {
      const fifo = stack.template.Resources[logicalId].Properties?.FifoQueue
      return (
        stringProperty(stack, logicalId, 'QueueName') ??
        `${stack.stackName}-${logicalId}${fifo === true || fifo === 'true' ? '.fifo' : ''}`
      )
    }

    default: {
      return `${stack.stackName}-${logicalId}`
    }
  }
}

function ref(stack: EmulatedStack, name: string): string | undefined {
  switch (name) {
    case 'AWS::AccountId': {
      return stack.accountId
    }

    case 'AWS::NoValue': {
      return undefined
    }

    case 'AWS::Partition': {
      return 'aws'
    }

    case 'AWS::Region': {
      return stack.region
    }

    case 'AWS::StackId': {
      return `arn:aws:cloudformation:${stack.region}:${stack.accountId}:stack/${stack.stackName}/00000000-0000-0000-0000-000000000000`
    }

    case 'AWS::StackName': {
      return stack.stackName
    }

    case 'AWS::URLSuffix': {
      return 'amazonaws.com'
    }
  }

  if (Object.hasOwn(stack.parameters, name)) return stack.parameters[name]
  if (stack.template.Parameters && Object.hasOwn(stack.template.Parameters, name)) {
    throw new Unresolvable(`parameter ${name} has no value; pass --parameter ${name}=<value>`)
  }

  if (Object.hasOwn(stack.template.Resources, name)) {
    // A secret's Ref is its ARN, whose name ends with "-" and six random characters.
    if (stack.template.Resources[name].Type === 'AWS::SecretsManager::Secret') return secretArn(stack, name)
    // Ref of a queue is its URL (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html).
    return stack.template.Resources[name].Type === 'AWS::SQS::Queue' ? queueUrl(stack, name) : physicalName(stack, name)
  }

  throw new Unresolvable(`Ref ${name} names nothing in the template`)
}

/** The ARN of a secret of the template, as its Ref gives it: the name, "-" and six characters (here derived from the name). */
export function secretArn(stack: EmulatedStack, logicalId: string): string {
  const name = physicalName(stack, logicalId)
  const suffix = createHash('sha256').update(name).digest('base64url').replaceAll(/[-_]/g, 'x').slice(0, 6)
  return `arn:aws:secretsmanager:${stack.region}:${stack.accountId}:secret:${name}-${suffix}`
}

/** Whether a condition of the template's Conditions holds for the parameter values. */
export function conditionHolds(stack: EmulatedStack, name: string): boolean {
  const definition = stack.template.Conditions?.[name]
  if (definition === undefined) throw new Unresolvable(`condition ${name} is not in Conditions`)
  return evaluateCondition(stack, definition)
}

function evaluateCondition(stack: EmulatedStack, value: unknown): boolean {
  const [key, argument] =
    value !== null && typeof value === 'object' && !Array.isArray(value) ? (Object.entries(value)[0] ?? []) : []
  const list = Array.isArray(argument) ? (argument as unknown[]) : []
  switch (key) {
    case 'Condition': {
      return conditionHolds(stack, String(argument))
    }

    case 'Fn::And': {
      return list.every((item) => evaluateCondition(stack, item))
    }

    case 'Fn::Equals': {
      return resolveValue(stack, list[0]) === resolveValue(stack, list[1])
    }

    case 'Fn::Not': {
      return !evaluateCondition(stack, list[0])
    }

    case 'Fn::Or': {
      return list.some((item) => evaluateCondition(stack, item))
    }

    default: {
      throw new Unresolvable(
        `${JSON.stringify(value)} is not a condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)`,
      )
    }
  }
}

/**
 * A property value with every Fn::If decided and AWS::NoValue as undefined; other values (objects such as
 * GenerateSecretString, or intrinsic functions resolveValue evaluates) are returned as written.
 */
export function chooseBranch(stack: EmulatedStack, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const object = value as Record<string, unknown>
  if (Object.keys(object).length === 1 && object.Ref === 'AWS::NoValue') return undefined
  if (Object.keys(object).length === 1 && Array.isArray(object['Fn::If'])) {
    const [condition, whenTrue, whenFalse] = object['Fn::If'] as [unknown, unknown, unknown]
    return chooseBranch(stack, conditionHolds(stack, String(condition)) ? whenTrue : whenFalse)
  }

  return value
}

/** The URL of a queue of the template, served by wsapi dev's SQS API. */
export function queueUrl(stack: EmulatedStack, logicalId: string): string {
  const endpoint = stack.httpEndpoint ?? stack.apiEndpoint.replace(/^ws/, 'http')
  return `${endpoint}/${stack.accountId}/${physicalName(stack, logicalId)}`
}

function getAtt(stack: EmulatedStack, target: string, attribute: string): string {
  const resource = stack.template.Resources[target]
  if (!resource) throw new Unresolvable(`Fn::GetAtt ${target}.${attribute} names no resource`)
  const name = physicalName(stack, target)
  const arn = (service: string, rest: string) => `arn:aws:${service}:${stack.region}:${stack.accountId}:${rest}`
  const known: Record<string, Record<string, () => string>> = {
    'AWS::ApiGatewayV2::Api': {ApiEndpoint: () => stack.apiEndpoint, ApiId: () => stack.apiId},
    'AWS::DynamoDB::Table': {
      Arn: () => arn('dynamodb', `table/${name}`),
      StreamArn: () => arn('dynamodb', `table/${name}/stream/1970-01-01T00:00:00.000`),
    },
    'AWS::IAM::Role': {
      Arn: () => `arn:aws:iam::${stack.accountId}:role/${name}`,
      RoleId: () => `AROA${name.slice(0, 16).toUpperCase()}`,
    },
    'AWS::Lambda::Function': {Arn: () => arn('lambda', `function:${name}`)},
    'AWS::Logs::LogGroup': {Arn: () => arn('logs', `log-group:${name}:*`)},
    'AWS::SQS::Queue': {Arn: () => arn('sqs', name), QueueName: () => name, QueueUrl: () => queueUrl(stack, target)},
  }
  const resolver = known[resource.Type]?.[attribute]
  if (!resolver) throw new Unresolvable(`Fn::GetAtt ${target}.${attribute} (${resource.Type}) has no local value`)
  return resolver()
}

function sub(stack: EmulatedStack, text: string, variables: Record<string, unknown>): string {
  return text.replaceAll(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`
    if (Object.hasOwn(variables, name)) return resolveValue(stack, variables[name]) ?? ''
    const dot = name.indexOf('.')
    if (dot !== -1 && !name.startsWith('AWS::')) return getAtt(stack, name.slice(0, dot), name.slice(dot + 1))
    return ref(stack, name) ?? ''
  })
}

/** Evaluates a template value (literal, Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::If) to a string; undefined for AWS::NoValue. */
export function resolveValue(stack: EmulatedStack, value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Unresolvable(`${JSON.stringify(value)} is not a string`)
  const [key, argument] = Object.entries(value)[0] ?? []
  if (Object.keys(value).length !== 1)
    throw new Unresolvable(`${JSON.stringify(value)} is not a string or one intrinsic function`)
  switch (key) {
    case 'Ref': {
      return ref(stack, String(argument))
    }

    case 'Fn::GetAtt': {
      const [target, attribute] = typeof argument === 'string' ? argument.split(/\.(.*)/s) : (argument as string[])
      return getAtt(stack, String(target), String(attribute))
    }

    case 'Fn::Sub': {
      const [text, variables] =
        typeof argument === 'string' ? [argument, {}] : (argument as [string, Record<string, unknown>?])
      return sub(stack, text, variables ?? {})
    }

    case 'Fn::Join': {
      const [delimiter, items] = argument as [string, unknown]
      return resolveList(stack, items).join(delimiter)
    }

    case 'Fn::Select': {
      const [index, items] = argument as [unknown, unknown]
      const list = resolveList(stack, items)
      const chosen = list[Number(resolveValue(stack, index))]
      if (chosen === undefined) throw new Unresolvable(`Fn::Select index ${JSON.stringify(index)} is out of range`)
      return chosen
    }

    case 'Fn::If': {
      const chosen = chooseBranch(stack, value)
      return chosen === undefined ? undefined : resolveValue(stack, chosen)
    }

    case 'Fn::FindInMap': {
      const [map, top, second] = (argument as unknown[]).map((item) => resolveValue(stack, item) ?? '')
      const found = (stack.template.Mappings?.[map] as Record<string, Record<string, unknown>> | undefined)?.[top]?.[
        second
      ]
      if (found === undefined) throw new Unresolvable(`Fn::FindInMap ${map}.${top}.${second} is not in Mappings`)
      return resolveValue(stack, found)
    }

    default: {
      throw new Unresolvable(
        `${key} is not supported by wsapi dev; use a literal, Ref, Fn::GetAtt, Fn::Sub or Fn::Join`,
      )
    }
  }
}

function resolveList(stack: EmulatedStack, value: unknown): string[] {
  if (Array.isArray(value))
    return value.map((item) => resolveValue(stack, item)).filter((item): item is string => item !== undefined)
  if (value !== null && typeof value === 'object' && 'Fn::Split' in value) {
    const [delimiter, text] = (value as {'Fn::Split': [string, unknown]})['Fn::Split']
    return (resolveValue(stack, text) ?? '').split(delimiter)
  }

  throw new Unresolvable(`${JSON.stringify(value)} is not a list`)
}

/** The function's Environment.Variables with every value resolved; a value that can't be is a UsageError naming it. */
export function templateEnvironment(stack: EmulatedStack, fn: FunctionModel): Record<string, string> {
  const environment: Record<string, string> = {}
  for (const [name, raw] of Object.entries(fn.environment)) {
    try {
      const value = resolveValue(stack, raw)
      if (value !== undefined) environment[name] = value
    } catch (error) {
      if (!(error instanceof Unresolvable)) throw error
      throw new UsageError(`template.yaml: function ${fn.logicalId}, environment variable ${name}: ${error.message}.`, {
        code: 'UNRESOLVABLE_VALUE',
      })
    }
  }

  return environment
}

export interface RuntimeEnvironmentOptions {
  dynamodbEndpoint: string
  /** http://host:port of wsapi dev, which answers the Lambda (Invoke) and SQS APIs. */
  localEndpoint?: string
  managementEndpoint: string
  /** The emulated Secrets Manager (GetSecretValue of the template's secrets), on the dev port. */
  secretsManagerEndpoint: string
}

/**
 * What the Lambda service sets in every execution environment, with dummy credentials and endpoints so
 * that the unmodified AWS SDK v3 in the handler reaches the local DynamoDB, Secrets Manager and @connections API.
 * The host's own AWS_* variables (profiles, real keys) never reach a handler.
 */
export function functionEnvironment(
  stack: EmulatedStack,
  fn: FunctionModel,
  options: RuntimeEnvironmentOptions,
): Record<string, string> {
  const name = physicalName(stack, fn.logicalId)
  const base: Record<string, string> = {
    AWS_ACCESS_KEY_ID: 'AKIAWSAPIDEVLOCAL000',
    AWS_DEFAULT_REGION: stack.region,
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: options.secretsManagerEndpoint,
    ...(options.localEndpoint === undefined
      ? {}
      : {AWS_ENDPOINT_URL_LAMBDA: options.localEndpoint, AWS_ENDPOINT_URL_SQS: options.localEndpoint}),
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${fn.logicalId}`,
    AWS_REGION: stack.region,
    AWS_SECRET_ACCESS_KEY: 'wsapi-dev-local-secret-access-key',
    // The handlers target a nodejs22.x+ runtime, where the SDK has nothing to warn about; this Node may be older.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_SESSION_TOKEN: 'wsapi-dev-local-session-token',
    LANG: 'en_US.UTF-8',
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    WSAPI_DEV: '1',
    WSAPI_MANAGEMENT_ENDPOINT: options.managementEndpoint,
  }
  // The template cannot set Lambda's reserved AWS_* names; the local endpoints must win over anything it sets.
  return {...templateEnvironment(stack, fn), ...base}
}
