import {existsSync, readFileSync} from 'node:fs'
import {basename, join, resolve} from 'node:path'

import {UsageError} from '../errors.js'
import {type CfnResource, type CfnTemplate, parseTemplate} from './cfn.js'
import {parseRouteSelectionExpression, type RouteSelectionExpression} from './expressions.js'
import {routeKeyWildcardProblem} from './names.js'
import {TEMPLATE_FILE} from './files.js'
import {parameterValues} from './parameters.js'
import {
  type FunctionModel,
  loadFunction,
  loadTable,
  loadThrottling,
  ofType,
  referencedResource,
  resolveScalar,
  type StageThrottlingModel,
  type TableModel,
  templateError,
} from './resources.js'
import {resolveStage, STAGE_PARAMETER} from './stage.js'

export {TEMPLATE_FILE} from './files.js'

/**
 * The project as wsapi sees it: its one WebSocket API, stage, routes, authorizers, functions and tables,
 * read from template.yaml and checked; each resource read by resources.ts.
 */

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
    throw templateError(
      file,
      apis.length === 0
        ? 'no AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET; run `wsapi init` to create a project.'
        : `${apis.length} WebSocket APIs (${apis.map(([id]) => id).join(', ')}); wsapi drives exactly one.`,
    )
  }

  const [apiId, api] = apis[0]
  const selectionSource = api.Properties?.RouteSelectionExpression
  if (typeof selectionSource !== 'string')
    throw templateError(file, `API ${apiId} needs a RouteSelectionExpression, e.g. $request.body.message.`)
  let routeSelection: RouteSelectionExpression
  try {
    routeSelection = parseRouteSelectionExpression(selectionSource)
  } catch (error) {
    throw templateError(file, `API ${apiId}: ${(error as Error).message}`)
  }

  const belongsToApi = (resource: CfnResource) =>
    referencedResource(template, resource.Properties?.ApiId, 'AWS::ApiGatewayV2::Api') === apiId
  const stages = ofType(template, 'AWS::ApiGatewayV2::Stage').filter(([, stage]) => belongsToApi(stage))
  if (stages.length === 0)
    throw templateError(file, `API ${apiId} has no AWS::ApiGatewayV2::Stage; add one with a StageName such as v1.`)
  const [stageId, stage] = stages[0]
  const templateStage = resolveScalar(stage.Properties?.StageName, parameters) || undefined
  if (!declaresStage && templateStage === undefined)
    throw templateError(file, `stage ${stageId}: StageName must be a string or a Ref to a parameter with a value.`)
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
        throw templateError(
          file,
          `authorizer ${logicalId}: only REQUEST (Lambda) authorizers are supported on WebSocket APIs.`,
        )
      const functionId = referencedResource(template, properties.AuthorizerUri, 'AWS::Lambda::Function')
      if (!functionId)
        throw templateError(
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
    if (typeof key !== 'string' || key === '') throw templateError(file, `route ${logicalId} needs a RouteKey.`)
    const wildcard = routeKeyWildcardProblem(key)
    if (wildcard) throw templateError(file, `route ${logicalId} (${JSON.stringify(key)}): ${wildcard}`)
    if (routes.some((other) => other.key === key))
      throw templateError(file, `route ${logicalId}: route key ${JSON.stringify(key)} is used by two routes.`)
    const integrationId = referencedResource(template, properties.Target, 'AWS::ApiGatewayV2::Integration')
    if (!integrationId)
      throw templateError(
        file,
        `route ${logicalId} (${key}) has no Target pointing at an AWS::ApiGatewayV2::Integration of this template.`,
      )
    const integration = template.Resources[integrationId]
    const integrationType = integration.Properties?.IntegrationType
    if (integrationType !== 'AWS_PROXY')
      throw templateError(
        file,
        `integration ${integrationId} (route ${key}) is ${JSON.stringify(integrationType)}; wsapi runs AWS_PROXY Lambda integrations.`,
      )
    const functionId = referencedResource(template, integration.Properties?.IntegrationUri, 'AWS::Lambda::Function')
    if (!functionId) {
      throw templateError(
        file,
        `integration ${integrationId} (route ${key}): IntegrationUri does not point at an AWS::Lambda::Function of this template.`,
      )
    }

    let authorizerId: string | undefined
    if (properties.AuthorizationType === 'CUSTOM') {
      authorizerId = referencedResource(template, properties.AuthorizerId, 'AWS::ApiGatewayV2::Authorizer')
      if (!authorizerId)
        throw templateError(
          file,
          `route ${logicalId} (${key}) is CUSTOM-authorized but its AuthorizerId does not point at an authorizer of this template.`,
        )
      if (key !== '$connect')
        throw templateError(
          file,
          `route ${logicalId} (${key}): API Gateway runs WebSocket authorizers only on $connect.`,
        )
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
