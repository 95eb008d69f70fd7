import {createHash} from 'node:crypto'

import {type CfnTemplate, dependsOn, renameLogicalId} from './cfn.js'

/** Resource types whose changes need a new API Gateway deployment before a stage serves them. */
const DEPLOYED_TYPES = new Set([
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::IntegrationResponse',
  'AWS::ApiGatewayV2::Model',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::RouteResponse',
])

/** JSON with sorted keys, so that the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`
  }

  return JSON.stringify(value)
}

/** `Deployment` + 10 hex digits of a hash of everything a deployment snapshots (routes, integrations, selection expressions). */
export function deploymentLogicalId(template: CfnTemplate): string {
  const snapshot = Object.entries(template.Resources)
    .filter(([, resource]) => DEPLOYED_TYPES.has(resource.Type) || resource.Type === 'AWS::ApiGatewayV2::Api')
    .map(([id, resource]) => [id, resource.Type, resource.Properties ?? {}])
    .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1))
  const hash = createHash('sha256').update(canonicalJson(snapshot)).digest('hex').slice(0, 10)
  return `Deployment${hash}`
}

/** What a deployment snapshots that nothing else it waits for refers to: it must wait for each of them itself. */
const AWAITED_TYPES = new Set([
  'AWS::ApiGatewayV2::IntegrationResponse',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::RouteResponse',
])

/**
 * Renames the template's AWS::ApiGatewayV2::Deployment so that its logical id follows the routes and
 * integrations: CloudFormation then creates a fresh deployment whenever they change (a fixed id would
 * leave the stage serving the old routes). It also waits (DependsOn) for every route and route or
 * integration response, so that a route added by hand is in the snapshot, not created alongside it.
 * Templates with no or several deployments are left alone.
 */
export function rehashDeployment(template: CfnTemplate): {from?: string; template: CfnTemplate; to?: string} {
  const deployments = Object.entries(template.Resources).filter(
    ([, resource]) => resource.Type === 'AWS::ApiGatewayV2::Deployment',
  )
  if (deployments.length !== 1) return {template}
  const [from, deployment] = deployments[0]
  const to = deploymentLogicalId(template)
  const renamed = renameLogicalId(template, from, to)
  const waits = dependsOn(deployment)
  const missing = Object.entries(template.Resources)
    .filter(([id, resource]) => AWAITED_TYPES.has(resource.Type) && !waits.includes(id))
    .map(([id]) => id)
  if (missing.length > 0) renamed.Resources[to] = {...renamed.Resources[to], DependsOn: [...waits, ...missing]}
  return {from, template: renamed, to}
}
