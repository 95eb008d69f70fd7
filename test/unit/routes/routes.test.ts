import assert from 'node:assert/strict'

import {parseTemplate} from '../../../src/lib/project/index.js'
import {routeOwnedIds, templateRoutes} from '../../../src/lib/routes/routes.js'
import {planProject, resolveInitOptions} from '../../../src/lib/scaffold/index.js'

function template(routes = 'sendmessage,join') {
  const plan = planProject(resolveInitOptions({name: 'chat', routes}))
  return parseTemplate(plan.files.find((file) => file.path === 'template.yaml')!.contents, 'template.yaml')
}

describe('template routes', () => {
  it('follows each route to its integration, function, handler file and responses', () => {
    const routes = templateRoutes(template())
    assert.deepEqual(
      routes.map((route) => [route.key, route.functionId, route.codePath, route.twoWay]),
      [
        ['$connect', 'ConnectFunction', 'src/handlers/connect.ts', false],
        ['$disconnect', 'DisconnectFunction', 'src/handlers/disconnect.ts', false],
        ['sendmessage', 'SendmessageFunction', 'src/handlers/sendmessage.ts', false],
        ['join', 'JoinFunction', 'src/handlers/join.ts', false],
        ['$default', 'DefaultFunction', 'src/handlers/default.ts', true],
      ],
    )
  })

  it("owns a route's resources, and keeps a function another route also uses", () => {
    const shared = template()
    const join = templateRoutes(shared).find((route) => route.key === 'join')!
    assert.deepEqual(routeOwnedIds(shared, join).sort(), [
      'JoinFunction',
      'JoinIntegration',
      'JoinLogGroup',
      'JoinPermission',
      'JoinRole',
      'JoinRoute',
    ])
    // join's integration points at sendmessage's function: removing join leaves the function, its log group and role.
    const uri = shared.Resources.JoinIntegration.Properties!.IntegrationUri as {
      'Fn::Sub': [string, {FunctionArn: unknown}]
    }
    uri['Fn::Sub'][1].FunctionArn = {'Fn::GetAtt': ['SendmessageFunction', 'Arn']}
    ;(shared.Resources.JoinPermission.Properties as Record<string, unknown>).FunctionName = {Ref: 'SendmessageFunction'}
    const joinShared = templateRoutes(shared).find((route) => route.key === 'join')!
    assert.deepEqual(routeOwnedIds(shared, joinShared).sort(), ['JoinIntegration', 'JoinPermission', 'JoinRoute'])
  })
})
