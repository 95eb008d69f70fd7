import assert from 'node:assert/strict'

import {parse} from 'yaml'

import {
  functionResourcesYaml,
  type NewRoute,
  routeResourceIds,
  routeResourcesYaml,
} from '../../../src/lib/routes/resources.js'
import type {ProjectSettings} from '../../../src/lib/routes/settings.js'

const SETTINGS: ProjectSettings = {
  architecture: 'arm64',
  idAttribute: 'connectionId',
  logRetention: 14,
  memorySize: 256,
  runtime: 'nodejs22.x',
  table: 'ConnectionsTable',
  tableEnv: 'CONNECTIONS_TABLE',
  timeout: 29,
}
const route = (start: NewRoute['start'], twoWay: boolean): NewRoute => ({
  file: 'join',
  id: 'Join',
  key: 'join',
  start,
  twoWay,
})
// The YAML without its CloudFormation tags, to read its shape.
const shape = (yaml: string) =>
  parse(yaml.replaceAll(/!(Ref|GetAtt|Sub|Join)\b ?/g, '')) as Record<
    string,
    {Properties: Record<string, unknown>; Type: string}
  >

describe('route resources', () => {
  it('names every resource after the route id', () => {
    const ids = routeResourceIds('Join')
    assert.deepEqual(Object.keys(shape(routeResourcesYaml(route('echo', true)))), ids.route)
    assert.deepEqual(
      Object.keys(shape(routeResourcesYaml(route('echo', false)))),
      ids.route.filter((id) => id !== 'JoinRouteResponse'),
    )
    assert.deepEqual(Object.keys(shape(functionResourcesYaml(route('echo', false), SETTINGS))), ids.function)
  })

  it('scopes the permission to this stage and route, and makes a two-way route answer with the function body', () => {
    const resources = shape(routeResourcesYaml(route('empty', true)))
    assert.match(String(resources.JoinPermission.Properties.SourceArn), /\/\$\{StageName\}\/join$/)
    assert.equal(resources.JoinRoute.Properties.RouteResponseSelectionExpression, '$default')
    assert.equal(resources.JoinRouteResponse.Properties.RouteResponseKey, '$default')
  })

  it('gives an empty handler no table and no @connections, a broadcast one both', () => {
    const empty = shape(functionResourcesYaml(route('empty', false), SETTINGS))
    assert.deepEqual(empty.JoinFunction.Properties.Environment, {Variables: {NODE_OPTIONS: '--enable-source-maps'}})
    assert.deepEqual(
      (empty.JoinRole.Properties.Policies as Array<{PolicyName: string}>).map((policy) => policy.PolicyName),
      ['logs'],
    )
    const broadcast = shape(
      functionResourcesYaml(route('broadcast', false), {...SETTINGS, rateLimit: {burst: '20', rate: '10/s'}}),
    )
    assert.deepEqual(
      (broadcast.JoinRole.Properties.Policies as Array<{PolicyName: string}>).map((policy) => policy.PolicyName),
      ['logs', 'connections-table', 'post-to-connections'],
    )
    assert.equal(
      (broadcast.JoinFunction.Properties.Environment as {Variables: Record<string, string>}).Variables.RATE_LIMIT,
      '10/s',
    )
  })
})
