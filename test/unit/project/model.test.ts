import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {loadProject} from '../../../src/lib/project/model.js'
import {editTemplate, rejectsNaming, scaffoldProject} from '../../helpers/project.js'
import {tempDir} from '../../helpers/tmp.js'

describe('project model', () => {
  it('reads routes, functions, stage, table and selection expression from a scaffolded template', () => {
    const dir = scaffoldProject({auth: 'token', routes: 'sendmessage,join'})
    const project = loadProject(dir)
    assert.equal(project.name, 'chat')
    assert.equal(project.stage.name, 'v1')
    assert.equal(project.api.routeSelection.source, '$request.body.message')
    assert.deepEqual(
      project.routes.map((route) => [route.key, route.functionId, route.twoWay, route.authorizerId ?? null]),
      [
        ['$connect', 'ConnectFunction', false, 'ConnectAuthorizer'],
        ['$disconnect', 'DisconnectFunction', false, null],
        ['sendmessage', 'SendmessageFunction', false, null],
        ['join', 'JoinFunction', false, null],
        ['$default', 'DefaultFunction', true, null],
      ],
    )
    assert.deepEqual(
      project.authorizers.map((authorizer) => [
        authorizer.logicalId,
        authorizer.functionId,
        authorizer.identitySources,
      ]),
      [['ConnectAuthorizer', 'AuthorizerFunction', ['route.request.querystring.token']]],
    )
    const send = project.functions.SendmessageFunction
    assert.equal(send.codePath, 'src/handlers/sendmessage.ts')
    assert.equal(send.runtime, 'nodejs22.x')
    assert.equal(send.timeout, 29)
    assert.deepEqual(send.environment.CONNECTIONS_TABLE, {Ref: 'ConnectionsTable'})
    assert.deepEqual(project.tables, [
      {
        attributeDefinitions: [{name: 'connectionId', type: 'S'}],
        hashKey: {name: 'connectionId', type: 'S'},
        logicalId: 'ConnectionsTable',
        rangeKey: undefined,
        ttlAttribute: 'expiresAt',
      },
    ])
  })

  it('applies parameter overrides and rejects unknown parameters', () => {
    const dir = scaffoldProject()
    assert.equal(loadProject(dir, {parameters: {StageName: 'prod'}}).stage.name, 'prod')
    assert.throws(
      () => loadProject(dir, {parameters: {Nope: 'x'}}),
      /Unknown parameter "Nope": template.yaml declares StageName/,
    )
  })

  it('says how to start when there is no template', () => {
    assert.throws(() => loadProject(tempDir()), /No template.yaml in .*wsapi init/)
  })

  it('names a route whose function is missing', () => {
    const dir = scaffoldProject()
    editTemplate(dir, (text) =>
      text.replace('FunctionArn: !GetAtt SendmessageFunction.Arn', 'FunctionArn: !GetAtt NoSuchFunction.Arn'),
    )
    rejectsNaming(dir, /integration SendmessageIntegration \(route sendmessage\)/, /AWS::Lambda::Function/)
  })

  it('names an API with a bad selection expression', () => {
    const dir = scaffoldProject()
    editTemplate(dir, (text) =>
      text.replace(
        'RouteSelectionExpression: "$request.body.message"',
        'RouteSelectionExpression: "$request.header.x"',
      ),
    )
    rejectsNaming(dir, /API WebSocketApi: Invalid route selection expression "\$request.header.x"/)
  })

  it('refuses a route key with "*" (the permission\'s SourceArn would match other routes)', () => {
    const dir = scaffoldProject()
    editTemplate(dir, (text) => text.replace('RouteKey: "sendmessage"', 'RouteKey: "send*"'))
    rejectsNaming(dir, /route SendmessageRoute \("send\*"\): "\*" is not allowed in a route key/)
  })

  it('names a route without a target', () => {
    const dir = scaffoldProject()
    editTemplate(dir, (text) =>
      text.replace("Target: !Join ['/', [integrations, !Ref DefaultIntegration]]", 'Target: nowhere'),
    )
    rejectsNaming(dir, /route DefaultRoute \(\$default\) has no Target/)
  })

  it('refuses a template with no WebSocket API', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'template.yaml'), 'Resources:\n  T:\n    Type: AWS::SNS::Topic\n')
    rejectsNaming(dir, /no AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET/)
  })
})
