import assert from 'node:assert/strict'

import {apiIdFor} from '../../../src/lib/apigw/ids.js'
import {emulatedStack, localTables, routeSummaries} from '../../../src/lib/dev/emulated-stack.js'
import {loadProject, type ProjectModel} from '../../../src/lib/project/index.js'
import {scaffoldProject} from '../../helpers/project.js'

const settings = {apiEndpoint: 'ws://127.0.0.1:3001', httpEndpoint: 'http://127.0.0.1:3001', parameters: {}}

/** The scaffolded project, with `variables` as its stage's StageVariables. */
function projectWithStageVariables(variables?: Record<string, unknown>): ProjectModel {
  const project = loadProject(scaffoldProject())
  const stage = project.template.Resources[project.stage.logicalId]
  if (variables) stage.Properties = {...stage.Properties, StageVariables: variables}
  return project
}

describe('dev: the project as the emulator serves it', () => {
  it('names the stack as CloudFormation would, in the default Region unless told', () => {
    const project = projectWithStageVariables()
    const {stack, stageVariables} = emulatedStack(project, {...settings, parameters: {StageName: 'v1'}})
    assert.equal(stack.stackName, 'chat-v1')
    assert.equal(stack.stageName, 'v1')
    assert.equal(stack.apiId, apiIdFor('chat'))
    assert.equal(stack.accountId, '000000000000')
    assert.equal(stack.region, 'us-east-1')
    assert.equal(stack.apiEndpoint, settings.apiEndpoint)
    assert.equal(stack.httpEndpoint, settings.httpEndpoint)
    assert.deepEqual(stack.parameters, {StageName: 'v1'})
    assert.equal(stageVariables, undefined)
    assert.equal(emulatedStack(project, {...settings, region: 'eu-west-1'}).stack.region, 'eu-west-1')
  })

  it("resolves the stage's variables against the stack", () => {
    const project = projectWithStageVariables({Mode: 'chat', Stack: {'Fn::Sub': '${AWS::StackName}'}})
    const {stageVariables} = emulatedStack(project, settings)
    assert.deepEqual(stageVariables, {Mode: 'chat', Stack: 'chat-v1'})
  })

  it('gives the tables their physical names, with their indexes', () => {
    const project = projectWithStageVariables()
    const index = {IndexName: 'byPrincipal', KeySchema: [{AttributeName: 'principalId', KeyType: 'HASH'}]}
    const table = project.template.Resources.ConnectionsTable!
    table.Properties = {...table.Properties, GlobalSecondaryIndexes: [index]}
    const tables = localTables(emulatedStack(project, settings).stack, project)
    assert.deepEqual(
      tables.map((local) => [local.model.logicalId, local.name]),
      [['ConnectionsTable', 'chat-v1-ConnectionsTable']],
    )
    assert.deepEqual(tables[0].indexes, {global: [index], local: undefined})
  })

  it("lists each route with its function and authorizer: the authorizer's function, or AWS_IAM", () => {
    const project = projectWithStageVariables()
    project.authorizers = [{functionId: 'AuthFunction', identitySources: [], logicalId: 'Auth', name: 'auth'}]
    project.routes = project.routes.map((route) =>
      route.key === '$connect'
        ? {...route, authorizerId: 'Auth'}
        : route.key === 'sendmessage'
          ? {...route, iam: true}
          : route,
    )
    assert.deepEqual(
      routeSummaries(project).map((route) => [route.key, route.functionId, route.authorizer, route.twoWay]),
      [
        ['$connect', 'ConnectFunction', 'AuthFunction', false],
        ['$disconnect', 'DisconnectFunction', undefined, false],
        ['sendmessage', 'SendmessageFunction', 'AWS_IAM', false],
        ['$default', 'DefaultFunction', undefined, true],
      ],
    )
  })
})
