import type {CfnResource, CfnTemplate} from '../project/index.js'
import {collectReferences, dependsOn} from '../project/index.js'

/** A route of the template, with the resources that serve it. */
export interface TemplateRoute {
  /** The function's Code path, when it is a local file. */
  codePath?: string
  functionId?: string
  integrationId?: string
  key: string
  logicalId: string
  /** Logical ids of the route's RouteResponses. */
  responseIds: string[]
  /** API Gateway sends the function's body back to the sender. */
  twoWay: boolean
}

const ofType = (template: CfnTemplate, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type)

function referencedIds(value: unknown, template: CfnTemplate, type: string): string[] {
  return collectReferences(value)
    .map((reference) => reference.target)
    .filter((target) => template.Resources[target]?.Type === type)
}

/** Every AWS::ApiGatewayV2::Route of the template, in template order, with its integration, function and responses. */
export function templateRoutes(template: CfnTemplate): TemplateRoute[] {
  return ofType(template, 'AWS::ApiGatewayV2::Route').map(([logicalId, resource]) => {
    const properties = resource.Properties ?? {}
    const integrationId = referencedIds(properties.Target, template, 'AWS::ApiGatewayV2::Integration')[0]
    const integration = integrationId ? template.Resources[integrationId] : undefined
    const functionId = integration
      ? referencedIds(integration.Properties?.IntegrationUri, template, 'AWS::Lambda::Function')[0]
      : undefined
    const code = functionId ? template.Resources[functionId].Properties?.Code : undefined
    const responseIds = ofType(template, 'AWS::ApiGatewayV2::RouteResponse')
      .filter(([, response]) =>
        referencedIds(response.Properties?.RouteId, template, 'AWS::ApiGatewayV2::Route').includes(logicalId),
      )
      .map(([id]) => id)
    return {
      codePath: typeof code === 'string' ? code : undefined,
      functionId,
      integrationId,
      key: String(properties.RouteKey),
      logicalId,
      responseIds,
      twoWay: responseIds.length > 0 || properties.RouteResponseSelectionExpression !== undefined,
    }
  })
}

const refersTo = (resource: CfnResource, id: string) =>
  collectReferences(resource.Properties ?? {}).some((reference) => reference.target === id)

/**
 * The logical ids that serve `route` alone: its Route, RouteResponses, Integration and the Permission that lets
 * API Gateway invoke the function, and the function with its log group and role unless another route uses it.
 */
export function routeOwnedIds(template: CfnTemplate, route: TemplateRoute): string[] {
  const ids = [route.logicalId, ...route.responseIds]
  const routes = templateRoutes(template)
  if (
    route.integrationId &&
    !routes.some((other) => other.logicalId !== route.logicalId && other.integrationId === route.integrationId)
  )
    ids.push(route.integrationId)
  const {functionId} = route
  if (!functionId) return ids
  const shared = routes.some((other) => other.logicalId !== route.logicalId && other.functionId === functionId)
  const suffix = `/${route.key}`
  for (const [id, resource] of ofType(template, 'AWS::Lambda::Permission')) {
    if (!refersTo(resource, functionId)) continue
    const source = JSON.stringify(resource.Properties?.SourceArn ?? '')
    // Shared function: only this route's permission (its SourceArn ends with the route key).
    if (!shared || source.endsWith(`${suffix}"`) || source.endsWith(`${suffix}"}`)) ids.push(id)
  }

  if (shared) return ids
  const fn = template.Resources[functionId]
  ids.push(functionId)
  const logGroup = (fn.Properties?.LoggingConfig as {LogGroup?: unknown} | undefined)?.LogGroup
  const role = fn.Properties?.Role
  const candidates = [
    ...referencedIds(logGroup, template, 'AWS::Logs::LogGroup'),
    ...referencedIds(role, template, 'AWS::IAM::Role'),
  ]
  // The log group and the role go with the function when nothing but the function and each other refers to them.
  const group = new Set([functionId, ...candidates])
  for (const id of candidates) {
    const users = Object.entries(template.Resources).filter(
      ([, resource]) => refersTo(resource, id) || dependsOn(resource).includes(id),
    )
    if (users.every(([user]) => group.has(user))) ids.push(id)
  }

  return ids
}
