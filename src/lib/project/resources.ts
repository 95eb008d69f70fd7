import {existsSync, statSync} from 'node:fs'
import {relative, resolve} from 'node:path'

import {UsageError} from '../errors.js'
import {type CfnResource, type CfnTemplate, collectReferences} from './cfn.js'

/**
 * One resource of template.yaml read into wsapi's model of it: a Lambda function, a DynamoDB table, the
 * stage's throttling; with the helpers that follow references and resolve parameter values.
 */

/** A Lambda function of the template whose code is a local TypeScript or JavaScript entry. */
export interface FunctionModel {
  architecture: string
  /** Code path as written in the template, relative to the project. */
  codePath: string
  /** Absolute path of the entry file. */
  entry: string
  /** Environment variables as written (values may be Ref / GetAtt / Sub). */
  environment: Record<string, unknown>
  handler: string
  logicalId: string
  memorySize: number
  /** ReservedConcurrentExecutions, when the template sets it. */
  reservedConcurrency?: number
  runtime: string
  /** Seconds. */
  timeout: number
}

export interface KeyModel {
  name: string
  type: 'B' | 'N' | 'S'
}

export interface TableModel {
  attributeDefinitions: KeyModel[]
  hashKey: KeyModel
  logicalId: string
  rangeKey?: KeyModel
  ttlAttribute?: string
}

/** A stage's throttling targets for a route (AWS::ApiGatewayV2::Stage RouteSettings); unset values fall back. */
export interface ThrottleModel {
  burstLimit?: number
  /** Requests per second. */
  rateLimit?: number
}

export interface StageThrottlingModel {
  /** DefaultRouteSettings: for every route without its own. */
  defaults: ThrottleModel
  /** RouteSettings, by route key. */
  routes: Record<string, ThrottleModel>
}

const LAMBDA_DEFAULT_TIMEOUT = 3
const LAMBDA_DEFAULT_MEMORY = 128

/** A problem with the template, naming its file: exit 2. */
export function templateError(file: string, message: string): UsageError {
  return new UsageError(`${file}: ${message}`, {code: 'INVALID_TEMPLATE'})
}

export function ofType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type)
}

/** The first logical id of the given type that `value` refers to (Ref, GetAtt or a Sub variable). */
export function referencedResource(template: CfnTemplate, value: unknown, type: string): string | undefined {
  return collectReferences(value).find((reference) => template.Resources[reference.target]?.Type === type)?.target
}

/** Resolves a scalar property that may be a literal or a Ref to a parameter. */
export function resolveScalar(value: unknown, parameters: Record<string, string>): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value !== null && typeof value === 'object' && 'Ref' in value && typeof value.Ref === 'string')
    return parameters[value.Ref]
  return undefined
}

/** A number property, literal or a Ref to a parameter; undefined when absent or another intrinsic (Fn::If…), which wsapi dev does not evaluate. */
function numberProperty(
  file: string,
  where: string,
  value: unknown,
  parameters: Record<string, string>,
  check: (n: number) => boolean,
  expected: string,
): number | undefined {
  if (value === undefined) return undefined
  if (value !== null && typeof value === 'object' && !('Ref' in value)) return undefined
  const resolved = resolveScalar(value, parameters)
  const number = resolved === undefined || resolved.trim() === '' ? Number.NaN : Number(resolved)
  if (!check(number)) throw templateError(file, `${where} must be ${expected}, not ${JSON.stringify(value)}.`)
  return number
}

function throttleSettings(
  file: string,
  where: string,
  value: unknown,
  parameters: Record<string, string>,
): ThrottleModel {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw templateError(file, `${where} must be a mapping.`)
  const settings = value as Record<string, unknown>
  return {
    burstLimit: numberProperty(
      file,
      `${where}.ThrottlingBurstLimit`,
      settings.ThrottlingBurstLimit,
      parameters,
      (n) => Number.isInteger(n) && n >= 0,
      'an integer ≥ 0',
    ),
    rateLimit: numberProperty(
      file,
      `${where}.ThrottlingRateLimit`,
      settings.ThrottlingRateLimit,
      parameters,
      (n) => Number.isFinite(n) && n >= 0,
      'a number ≥ 0',
    ),
  }
}

export function loadThrottling(
  file: string,
  stageId: string,
  stage: CfnResource,
  parameters: Record<string, string>,
): StageThrottlingModel {
  const properties = stage.Properties ?? {}
  const routeSettings = properties.RouteSettings
  if (
    routeSettings !== undefined &&
    (routeSettings === null || typeof routeSettings !== 'object' || Array.isArray(routeSettings))
  ) {
    throw templateError(file, `stage ${stageId}: RouteSettings must be a mapping of route keys to settings.`)
  }

  return {
    defaults: throttleSettings(
      file,
      `stage ${stageId}: DefaultRouteSettings`,
      properties.DefaultRouteSettings,
      parameters,
    ),
    routes: Object.fromEntries(
      Object.entries((routeSettings ?? {}) as Record<string, unknown>).map(([key, value]) => [
        key,
        throttleSettings(file, `stage ${stageId}: RouteSettings.${key}`, value, parameters),
      ]),
    ),
  }
}

export function loadFunction(
  dir: string,
  file: string,
  template: CfnTemplate,
  logicalId: string,
  usedBy: string,
  parameters: Record<string, string>,
): FunctionModel {
  const resource = template.Resources[logicalId]
  const properties = resource.Properties ?? {}
  const code = properties.Code
  if (typeof code !== 'string') {
    throw templateError(
      file,
      `function ${logicalId} (${usedBy}) needs a local Code path such as src/handlers/connect.ts; wsapi bundles it for you.`,
    )
  }

  const entry = resolve(dir, code)
  if (!existsSync(entry) || !statSync(entry).isFile()) {
    throw templateError(
      file,
      `function ${logicalId} (${usedBy}): Code path ${code} does not exist; create it or fix the path.`,
    )
  }

  const runtime = typeof properties.Runtime === 'string' ? properties.Runtime : ''
  if (!runtime.startsWith('nodejs')) {
    throw templateError(
      file,
      `function ${logicalId} (${usedBy}) has Runtime ${JSON.stringify(runtime)}; wsapi runs Node.js functions, e.g. nodejs22.x.`,
    )
  }

  const handler = typeof properties.Handler === 'string' ? properties.Handler : 'index.handler'
  const architectures = properties.Architectures
  const environment = (properties.Environment as {Variables?: Record<string, unknown>} | undefined)?.Variables ?? {}
  return {
    architecture: Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : 'x86_64',
    codePath: relative(dir, entry).split('\\').join('/'),
    entry,
    environment,
    handler,
    logicalId,
    memorySize: typeof properties.MemorySize === 'number' ? properties.MemorySize : LAMBDA_DEFAULT_MEMORY,
    reservedConcurrency: numberProperty(
      file,
      `function ${logicalId}: ReservedConcurrentExecutions`,
      properties.ReservedConcurrentExecutions,
      parameters,
      (n) => Number.isInteger(n) && n >= 0,
      'an integer ≥ 0',
    ),
    runtime,
    timeout: typeof properties.Timeout === 'number' ? properties.Timeout : LAMBDA_DEFAULT_TIMEOUT,
  }
}

function keyModel(file: string, tableId: string, name: unknown, definitions: KeyModel[]): KeyModel {
  const definition = definitions.find((item) => item.name === name)
  if (!definition)
    throw templateError(file, `table ${tableId}: key ${JSON.stringify(name)} has no AttributeDefinitions entry.`)
  return definition
}

export function loadTable(file: string, logicalId: string, resource: CfnResource): TableModel {
  const properties = resource.Properties ?? {}
  const definitions = (
    (properties.AttributeDefinitions ?? []) as Array<{AttributeName: string; AttributeType: 'B' | 'N' | 'S'}>
  ).map((item) => ({
    name: item.AttributeName,
    type: item.AttributeType,
  }))
  const keySchema = (properties.KeySchema ?? []) as Array<{AttributeName: string; KeyType: string}>
  const hash = keySchema.find((key) => key.KeyType === 'HASH')
  if (!hash) throw templateError(file, `table ${logicalId} has no HASH key in its KeySchema.`)
  const range = keySchema.find((key) => key.KeyType === 'RANGE')
  const ttl = properties.TimeToLiveSpecification as {AttributeName?: string; Enabled?: boolean} | undefined
  return {
    attributeDefinitions: definitions,
    hashKey: keyModel(file, logicalId, hash.AttributeName, definitions),
    logicalId,
    rangeKey: range ? keyModel(file, logicalId, range.AttributeName, definitions) : undefined,
    ttlAttribute: ttl?.Enabled === false ? undefined : ttl?.AttributeName,
  }
}
