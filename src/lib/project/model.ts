import {existsSync, readFileSync, statSync} from 'node:fs'
import {basename, join, relative, resolve} from 'node:path'

import {UsageError} from '../errors.js'
import {type CfnParameter, type CfnResource, type CfnTemplate, collectReferences, parseTemplate} from './cfn.js'
import {parseRouteSelectionExpression, type RouteSelectionExpression} from './expressions.js'
import {routeKeyWildcardProblem} from './names.js'
import {TEMPLATE_FILE} from './files.js'
import {resolveStage, STAGE_PARAMETER} from './stage.js'

export {TEMPLATE_FILE} from './files.js'

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

export interface RouteModel {
  /** Logical id of the AWS::ApiGatewayV2::Authorizer on this route, if any. */
  authorizerId?: string
  functionId: string
  /** AuthorizationType AWS_IAM: callers must sign the request with SigV4. */
  iam?: boolean
  integrationId: string
  key: string
  logicalId: string
  /** RouteResponseSelectionExpression is set: the Lambda's body goes back to the caller. */
  twoWay: boolean
}

export interface AuthorizerModel {
  functionId: string
  /** e.g. route.request.querystring.token, route.request.header.Auth */
  identitySources: string[]
  logicalId: string
  name: string
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

export interface ProjectModel {
  api: {logicalId: string; routeSelection: RouteSelectionExpression}
  authorizers: AuthorizerModel[]
  dir: string
  functions: Record<string, FunctionModel>
  /** From Metadata.wsapi.project, else the folder name. */
  name: string
  /** Parameter values in effect: defaults overridden by the caller's. */
  parameters: Record<string, string>
  routes: RouteModel[]
  stage: {logicalId: string; name: string}
  tables: TableModel[]
  /** The stage's ThrottlingRateLimit / ThrottlingBurstLimit settings. */
  throttling: StageThrottlingModel
  template: CfnTemplate
  templatePath: string
}

export interface LoadProjectOptions {
  /** Values from the environment (`WSAPI_PARAMETER_<Name>`): used for the parameters the template declares, ignored for others. */
  environmentParameters?: Record<string, string>
  /** Parameter overrides (`--parameter Key=Value`). */
  parameters?: Record<string, string>
  /** `--stage`: the stage to work on (see resolveStage); the model then reports it, and the StageName parameter holds it. */
  stage?: string
  /** Template file, relative to dir. */
  templateFile?: string
}

const LAMBDA_DEFAULT_TIMEOUT = 3
const LAMBDA_DEFAULT_MEMORY = 128

function fail(file: string, message: string): UsageError {
  return new UsageError(`${file}: ${message}`, {code: 'INVALID_TEMPLATE'})
}

function ofType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type)
}

/** The first logical id of the given type that `value` refers to (Ref, GetAtt or a Sub variable). */
function referencedResource(template: CfnTemplate, value: unknown, type: string): string | undefined {
  return collectReferences(value).find((reference) => template.Resources[reference.target]?.Type === type)?.target
}

/** Resolves a scalar property that may be a literal or a Ref to a parameter. */
function resolveScalar(value: unknown, parameters: Record<string, string>): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value !== null && typeof value === 'object' && 'Ref' in value && typeof value.Ref === 'string')
    return parameters[value.Ref]
  return undefined
}

function parameterValues(
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
  if (!check(number)) throw fail(file, `${where} must be ${expected}, not ${JSON.stringify(value)}.`)
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
    throw fail(file, `${where} must be a mapping.`)
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

function loadThrottling(
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
    throw fail(file, `stage ${stageId}: RouteSettings must be a mapping of route keys to settings.`)
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

function loadFunction(
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
    throw fail(
      file,
      `function ${logicalId} (${usedBy}) needs a local Code path such as src/handlers/connect.ts; wsapi bundles it for you.`,
    )
  }

  const entry = resolve(dir, code)
  if (!existsSync(entry) || !statSync(entry).isFile()) {
    throw fail(file, `function ${logicalId} (${usedBy}): Code path ${code} does not exist; create it or fix the path.`)
  }

  const runtime = typeof properties.Runtime === 'string' ? properties.Runtime : ''
  if (!runtime.startsWith('nodejs')) {
    throw fail(
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
  if (!definition) throw fail(file, `table ${tableId}: key ${JSON.stringify(name)} has no AttributeDefinitions entry.`)
  return definition
}

function loadTable(file: string, logicalId: string, resource: CfnResource): TableModel {
  const properties = resource.Properties ?? {}
  const definitions = (
    (properties.AttributeDefinitions ?? []) as Array<{AttributeName: string; AttributeType: 'B' | 'N' | 'S'}>
  ).map((item) => ({
    name: item.AttributeName,
    type: item.AttributeType,
  }))
  const keySchema = (properties.KeySchema ?? []) as Array<{AttributeName: string; KeyType: string}>
  const hash = keySchema.find((key) => key.KeyType === 'HASH')
  if (!hash) throw fail(file, `table ${logicalId} has no HASH key in its KeySchema.`)
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

/** Builds the project model from an already parsed template. */
export function projectFromTemplate(
  dir: string,
  template: CfnTemplate,
  options: LoadProjectOptions = {},
): ProjectModel {
  const file = options.templateFile ?? TEMPLATE_FILE
  const parameters = parameterValues(file, template.Parameters, options.parameters ?? {}, options.environmentParameters)
  const declaresStage = Object.hasOwn(template.Parameters ?? {}, STAGE_PARAMETER)
  if (declaresStage && options.stage !== undefined) parameters[STAGE_PARAMETER] = options.stage
  const metadata = (template.Metadata?.wsapi ?? {}) as {project?: unknown}
  const name = typeof metadata.project === 'string' ? metadata.project : basename(dir)
  const apis = ofType(template, 'AWS::ApiGatewayV2::Api').filter(
    ([, api]) => api.Properties?.ProtocolType === 'WEBSOCKET',
  )
  if (apis.length !== 1) {
    throw fail(
      file,
      apis.length === 0
        ? 'no AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET; run `wsapi init` to create a project.'
        : `${apis.length} WebSocket APIs (${apis.map(([id]) => id).join(', ')}); wsapi drives exactly one.`,
    )
  }

  const [apiId, api] = apis[0]
  const selectionSource = api.Properties?.RouteSelectionExpression
  if (typeof selectionSource !== 'string')
    throw fail(file, `API ${apiId} needs a RouteSelectionExpression, e.g. $request.body.message.`)
  let routeSelection: RouteSelectionExpression
  try {
    routeSelection = parseRouteSelectionExpression(selectionSource)
  } catch (error) {
    throw fail(file, `API ${apiId}: ${(error as Error).message}`)
  }

  const belongsToApi = (resource: CfnResource) =>
    referencedResource(template, resource.Properties?.ApiId, 'AWS::ApiGatewayV2::Api') === apiId
  const stages = ofType(template, 'AWS::ApiGatewayV2::Stage').filter(([, stage]) => belongsToApi(stage))
  if (stages.length === 0)
    throw fail(file, `API ${apiId} has no AWS::ApiGatewayV2::Stage; add one with a StageName such as v1.`)
  const [stageId, stage] = stages[0]
  const templateStage = resolveScalar(stage.Properties?.StageName, parameters) || undefined
  if (!declaresStage && templateStage === undefined)
    throw fail(file, `stage ${stageId}: StageName must be a string or a Ref to a parameter with a value.`)
  const stageName = resolveStage({
    declaresParameter: declaresStage,
    file,
    project: name,
    requested: options.stage,
    templateStage,
  })

  const functions: Record<string, FunctionModel> = {}
  const useFunction = (logicalId: string, usedBy: string) => {
    functions[logicalId] ??= loadFunction(dir, file, template, logicalId, usedBy, parameters)
    return logicalId
  }

  const authorizers: AuthorizerModel[] = ofType(template, 'AWS::ApiGatewayV2::Authorizer')
    .filter(([, authorizer]) => belongsToApi(authorizer))
    .map(([logicalId, authorizer]) => {
      const properties = authorizer.Properties ?? {}
      if (properties.AuthorizerType !== 'REQUEST')
        throw fail(file, `authorizer ${logicalId}: only REQUEST (Lambda) authorizers are supported on WebSocket APIs.`)
      const functionId = referencedResource(template, properties.AuthorizerUri, 'AWS::Lambda::Function')
      if (!functionId)
        throw fail(
          file,
          `authorizer ${logicalId}: AuthorizerUri does not point at an AWS::Lambda::Function of this template.`,
        )
      return {
        functionId: useFunction(functionId, `authorizer ${logicalId}`),
        identitySources: ((properties.IdentitySource ?? []) as string[]).filter((source) => typeof source === 'string'),
        logicalId,
        name: typeof properties.Name === 'string' ? properties.Name : logicalId,
      }
    })

  const routes: RouteModel[] = []
  for (const [logicalId, route] of ofType(template, 'AWS::ApiGatewayV2::Route')) {
    if (!belongsToApi(route)) continue
    const properties = route.Properties ?? {}
    const key = properties.RouteKey
    if (typeof key !== 'string' || key === '') throw fail(file, `route ${logicalId} needs a RouteKey.`)
    const wildcard = routeKeyWildcardProblem(key)
    if (wildcard) throw fail(file, `route ${logicalId} (${JSON.stringify(key)}): ${wildcard}`)
    if (routes.some((other) => other.key === key))
      throw fail(file, `route ${logicalId}: route key ${JSON.stringify(key)} is used by two routes.`)
    const integrationId = referencedResource(template, properties.Target, 'AWS::ApiGatewayV2::Integration')
    if (!integrationId)
      throw fail(
        file,
        `route ${logicalId} (${key}) has no Target pointing at an AWS::ApiGatewayV2::Integration of this template.`,
      )
    const integration = template.Resources[integrationId]
    const integrationType = integration.Properties?.IntegrationType
    if (integrationType !== 'AWS_PROXY')
      throw fail(
        file,
        `integration ${integrationId} (route ${key}) is ${JSON.stringify(integrationType)}; wsapi runs AWS_PROXY Lambda integrations.`,
      )
    const functionId = referencedResource(template, integration.Properties?.IntegrationUri, 'AWS::Lambda::Function')
    if (!functionId) {
      throw fail(
        file,
        `integration ${integrationId} (route ${key}): IntegrationUri does not point at an AWS::Lambda::Function of this template.`,
      )
    }

    let authorizerId: string | undefined
    if (properties.AuthorizationType === 'CUSTOM') {
      authorizerId = referencedResource(template, properties.AuthorizerId, 'AWS::ApiGatewayV2::Authorizer')
      if (!authorizerId)
        throw fail(
          file,
          `route ${logicalId} (${key}) is CUSTOM-authorized but its AuthorizerId does not point at an authorizer of this template.`,
        )
      if (key !== '$connect')
        throw fail(file, `route ${logicalId} (${key}): API Gateway runs WebSocket authorizers only on $connect.`)
    }

    routes.push({
      authorizerId,
      functionId: useFunction(functionId, `route ${key}`),
      ...(properties.AuthorizationType === 'AWS_IAM' ? {iam: true} : {}),
      integrationId,
      key,
      logicalId,
      twoWay: properties.RouteResponseSelectionExpression !== undefined,
    })
  }

  // Functions no route uses are still built and deployed, so they are part of the model too.
  for (const [logicalId, resource] of ofType(template, 'AWS::Lambda::Function')) {
    if (typeof resource.Properties?.Code === 'string') useFunction(logicalId, 'no route')
  }

  const tables = ofType(template, 'AWS::DynamoDB::Table').map(([logicalId, table]) => loadTable(file, logicalId, table))
  return {
    api: {logicalId: apiId, routeSelection},
    authorizers,
    dir,
    functions,
    name,
    parameters,
    routes,
    stage: {logicalId: stageId, name: stageName},
    tables,
    template,
    templatePath: join(dir, file),
    throttling: loadThrottling(file, stageId, stage, parameters),
  }
}

/** Reads and checks `template.yaml` of the project in `dir`. Every problem is a UsageError naming the resource. */
export function loadProject(dir: string, options: LoadProjectOptions = {}): ProjectModel {
  const file = options.templateFile ?? TEMPLATE_FILE
  const path = join(dir, file)
  if (!existsSync(path)) {
    throw new UsageError(
      `No ${file} in ${dir}: run the command inside a wsapi project (or pass --dir), or create one with \`wsapi init\`.`,
      {
        code: 'NO_PROJECT',
      },
    )
  }

  return projectFromTemplate(resolve(dir), parseTemplate(readFileSync(path, 'utf8'), file), options)
}

/**
 * The secret whose value clients pass as the `token` query string: the one AWS::SecretsManager::Secret that
 * the function of a `route.request.querystring.token` authorizer refers to in its environment (the
 * scaffolded AUTH_TOKEN_SECRET_ARN). Undefined when there is none, or more than one to choose from.
 */
export function tokenSecretId(project: ProjectModel): string | undefined {
  const found = new Set<string>()
  for (const authorizer of project.authorizers) {
    if (!authorizer.identitySources.includes('route.request.querystring.token')) continue
    for (const value of Object.values(project.functions[authorizer.functionId]?.environment ?? {})) {
      const target = (value as {Ref?: unknown} | null)?.Ref
      if (typeof target === 'string' && project.template.Resources[target]?.Type === 'AWS::SecretsManager::Secret')
        found.add(target)
    }
  }

  return found.size === 1 ? [...found][0] : undefined
}
