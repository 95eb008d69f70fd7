import assert from 'node:assert/strict'

import type {CfnTemplate} from '../../../src/lib/project/cfn.js'
import {deploymentLogicalId, rehashDeployment} from '../../../src/lib/project/deployment.js'

function template(routeKey: string): CfnTemplate {
  return {
    Resources: {
      Api: {
        Properties: {ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.message'},
        Type: 'AWS::ApiGatewayV2::Api',
      },
      Deployment: {DependsOn: ['Route'], Properties: {ApiId: {Ref: 'Api'}}, Type: 'AWS::ApiGatewayV2::Deployment'},
      Route: {Properties: {ApiId: {Ref: 'Api'}, RouteKey: routeKey}, Type: 'AWS::ApiGatewayV2::Route'},
      Stage: {
        Properties: {ApiId: {Ref: 'Api'}, DeploymentId: {Ref: 'Deployment'}, StageName: 'v1'},
        Type: 'AWS::ApiGatewayV2::Stage',
      },
    },
  }
}

describe('deployment logical id', () => {
  it('changes when a route changes and not otherwise', () => {
    assert.equal(deploymentLogicalId(template('a')), deploymentLogicalId(template('a')))
    assert.notEqual(deploymentLogicalId(template('a')), deploymentLogicalId(template('b')))
    assert.match(deploymentLogicalId(template('a')), /^Deployment[0-9a-f]{10}$/)
  })

  it('does not depend on key order', () => {
    const a = template('a')
    const b = template('a')
    b.Resources.Route.Properties = {RouteKey: 'a', ApiId: {Ref: 'Api'}}
    assert.equal(deploymentLogicalId(a), deploymentLogicalId(b))
  })

  it('renames the deployment and the stage reference', () => {
    const {template: rehashed, to} = rehashDeployment(template('a'))
    assert.ok(to && rehashed.Resources[to])
    assert.equal(rehashed.Resources.Deployment, undefined)
    assert.deepEqual(rehashed.Resources.Stage.Properties!.DeploymentId, {Ref: to})
  })

  it('waits for every route and route response, also those added without a DependsOn entry', () => {
    const edited = template('a')
    edited.Resources.AddedRoute = {
      Properties: {ApiId: {Ref: 'Api'}, RouteKey: 'join'},
      Type: 'AWS::ApiGatewayV2::Route',
    }
    edited.Resources.AddedRouteResponse = {
      Properties: {ApiId: {Ref: 'Api'}, RouteId: {Ref: 'AddedRoute'}, RouteResponseKey: '$default'},
      Type: 'AWS::ApiGatewayV2::RouteResponse',
    }
    const {template: rehashed, to} = rehashDeployment(edited)
    assert.deepEqual(rehashed.Resources[to!].DependsOn, ['Route', 'AddedRoute', 'AddedRouteResponse'])
    assert.equal(edited.Resources.Deployment.DependsOn?.length, 1, 'the input is not changed')
    assert.deepEqual(
      rehashDeployment(template('a')).template.Resources[rehashDeployment(template('a')).to!].DependsOn,
      ['Route'],
    )
  })
})
