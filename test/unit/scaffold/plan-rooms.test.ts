import assert from 'node:assert/strict'

import {type CfnResource, type CfnTemplate, parseTemplate} from '../../../src/lib/project/index.js'
import {UsageError} from '../../../src/lib/errors.js'
import {planProject, type RawInitOptions, resolveInitOptions} from '../../../src/lib/scaffold/index.js'
import {validateAgainstSpec} from '../../helpers/cfn-spec.js'

function plan(options: RawInitOptions = {}) {
  return planProject(resolveInitOptions({name: 'chat', ...options}))
}

function templateOf(options: RawInitOptions = {}): CfnTemplate {
  return parseTemplate(plan(options).files.find((file) => file.path === 'template.yaml')!.contents, 'template.yaml')
}

/** Action → Resource of every statement in a role's inline policies, logs aside. */
function grants(role: CfnResource): Array<[string, unknown]> {
  const policies = role.Properties!.Policies as Array<{
    PolicyDocument: {Statement: Array<{Action: string | string[]; Resource: unknown}>}
  }>
  return policies
    .flatMap((policy) =>
      policy.PolicyDocument.Statement.flatMap((statement) =>
        (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).map((action): [string, unknown] => [
          action,
          statement.Resource,
        ]),
      ),
    )
    .filter(([action]) => !action.startsWith('logs:'))
}

const memberships = {'Fn::GetAtt': ['MembershipsTable', 'Arn']}
const connections = {'Fn::GetAtt': ['ConnectionsTable', 'Arn']}
const byConnection = {'Fn::Sub': '${MembershipsTable.Arn}/index/byConnection'}
const byPrincipal = {'Fn::Sub': '${ConnectionsTable.Arn}/index/byPrincipal'}

const COMBINATIONS: Array<[string, RawInitOptions]> = [
  ['rooms', {rooms: true}],
  ['rooms with token auth', {auth: 'token', rooms: true}],
  ['rooms with jwt auth, inline broadcasts', {auth: 'jwt', fanoutShards: 1, rooms: true}],
  [
    'rooms with iam auth and provisioned capacity',
    {auth: 'iam', billing: 'provisioned', readCapacity: 7, rooms: true, writeCapacity: 3},
  ],
  ['rooms with two broadcast routes and no $default', {defaultRoute: false, rooms: true, routes: 'chat,post'}],
]

describe('scaffold plan with --rooms', () => {
  for (const [name, options] of COMBINATIONS) {
    describe(name, () => {
      const template = templateOf(options)

      it('validates against the CloudFormation resource specification', () => {
        assert.deepEqual(validateAgainstSpec(template, {allowLocalCode: true}), [])
      })

      it('adds two-way join, leave and whoami routes', () => {
        for (const [key, id] of [
          ['join', 'Join'],
          ['leave', 'Leave'],
          ['whoami', 'Whoami'],
        ]) {
          assert.equal(template.Resources[`${id}Route`].Properties!.RouteKey, key)
          assert.equal(template.Resources[`${id}Route`].Properties!.RouteResponseSelectionExpression, '$default')
          assert.equal(template.Resources[`${id}RouteResponse`].Type, 'AWS::ApiGatewayV2::RouteResponse')
        }
      })

      it('keeps memberships in a table keyed by room and connection, indexed by connection, expiring with TTL', () => {
        const table = template.Resources.MembershipsTable.Properties!
        assert.deepEqual(table.KeySchema, [
          {AttributeName: 'room', KeyType: 'HASH'},
          {AttributeName: 'connectionId', KeyType: 'RANGE'},
        ])
        const [index] = table.GlobalSecondaryIndexes as Array<{IndexName: string; KeySchema: unknown}>
        assert.equal(index.IndexName, 'byConnection')
        assert.deepEqual(index.KeySchema, [
          {AttributeName: 'connectionId', KeyType: 'HASH'},
          {AttributeName: 'room', KeyType: 'RANGE'},
        ])
        assert.deepEqual(table.TimeToLiveSpecification, {AttributeName: 'expiresAt', Enabled: true})
        assert.deepEqual(table.SSESpecification, {SSEEnabled: true})
        assert.deepEqual(template.Outputs!.MembershipsTable.Value, {Ref: 'MembershipsTable'})
      })

      it('indexes connections by principal only when $connect has an authorizer', () => {
        const indexes = template.Resources.ConnectionsTable.Properties!.GlobalSecondaryIndexes as
          Array<{IndexName: string}> | undefined
        assert.deepEqual(
          indexes?.map((index) => index.IndexName),
          options.auth ? ['byPrincipal'] : undefined,
        )
      })

      it('grants each function only the table and index actions its handler needs', () => {
        const role = (id: string) => grants(template.Resources[`${id}Role`])
        assert.deepEqual(role('Join'), [['dynamodb:PutItem', memberships]])
        assert.deepEqual(role('Leave'), [['dynamodb:DeleteItem', memberships]])
        assert.deepEqual(role('Whoami'), [['dynamodb:Query', byConnection]])
        assert.deepEqual(role('Disconnect'), [
          ['dynamodb:DeleteItem', connections],
          ['dynamodb:DeleteItem', memberships],
          ['dynamodb:Query', byConnection],
        ])
        assert.deepEqual(role('Connect'), [['dynamodb:PutItem', connections]])
        const broadcastRoute = options.routes === 'chat,post' ? 'Chat' : 'Sendmessage'
        const roomGrants = role(broadcastRoute).filter(([, resource]) =>
          /MembershipsTable|index/.test(JSON.stringify(resource)),
        )
        assert.deepEqual(roomGrants, [
          ...(options.auth ? ([['dynamodb:Query', byPrincipal]] as Array<[string, unknown]>) : []),
          ['dynamodb:GetItem', memberships],
          ['dynamodb:Query', memberships],
          ['dynamodb:DeleteItem', memberships],
        ])
        // The fan-out function delivers what it is given: it reads no memberships.
        if (options.fanoutShards !== 1) assert.ok(!JSON.stringify(role('Fanout')).includes('Memberships'))
        for (const id of ['Join', 'Leave', 'Whoami', 'Disconnect']) {
          const variables = (
            template.Resources[`${id}Function`].Properties!.Environment as {Variables: Record<string, unknown>}
          ).Variables
          assert.deepEqual(variables.MEMBERSHIPS_TABLE, {Ref: 'MembershipsTable'}, id)
        }
      })

      it('ships the rooms runtime and the rooms tests', () => {
        const files = plan(options).files.map((file) => file.path)
        for (const path of [
          'src/runtime/rooms.ts',
          'src/handlers/join.ts',
          'src/handlers/leave.ts',
          'src/handlers/whoami.ts',
          'test/rooms.test.ts',
        ])
          assert.ok(files.includes(path), path)
      })
    })
  }

  it('changes nothing without --rooms: no memberships, no room routes, no rooms runtime', () => {
    const files = plan().files
    assert.deepEqual(
      files.filter((file) => /rooms|join|leave|whoami/.test(file.path)).map((file) => file.path),
      [],
    )
    assert.ok(files.every((file) => !/MEMBERSHIPS|Memberships|byPrincipal/.test(file.contents)))
    assert.deepEqual(plan({rooms: false}).files, files)
  })

  it('lists the room routes in the $default reply', () => {
    const handler = plan({rooms: true}).files.find((file) => file.path === 'src/handlers/default.ts')!.contents
    assert.match(handler, /export const ROUTES: string\[\] = \["sendmessage","join","leave","whoami"\]/)
  })

  it('refuses --rooms with a custom route it would add', () => {
    assert.throws(
      () => plan({rooms: true, routes: 'sendmessage,join'}),
      (error: unknown) =>
        error instanceof UsageError &&
        /--rooms adds the routes join, leave, whoami: drop join from --routes/.test(error.message),
    )
  })

  it('tells members apart from joiners: a message to a room names the room and the sender', () => {
    const handler = plan({rooms: true}).files.find((file) => file.path === 'src/handlers/sendmessage.ts')!.contents
    assert.match(handler, /You have not joined room/)
    assert.match(handler, /sendToRoom\(/)
    assert.match(handler, /sendDirect\(/)
  })
})
