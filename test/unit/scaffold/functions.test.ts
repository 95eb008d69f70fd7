import assert from 'node:assert/strict'

import {UsageError} from '../../../src/lib/errors.js'
import {loadProject} from '../../../src/lib/project/index.js'
import {planFunctions, planRoutes} from '../../../src/lib/scaffold/functions.js'
import {planProject, type RawInitOptions, resolveInitOptions} from '../../../src/lib/scaffold/index.js'
import {scaffoldProject} from '../../helpers/project.js'

function plan(options: RawInitOptions = {}) {
  return planProject(resolveInitOptions({name: 'chat', ...options}))
}

/** The routes and functions of a project with these answers, and the warnings they gave. */
function functionsOf(raw: RawInitOptions = {}) {
  const options = resolveInitOptions({name: 'chat', ...raw})
  const warnings: string[] = []
  const routes = planRoutes(options, warnings)
  return {functions: planFunctions(options, routes, warnings), routes, warnings}
}

describe('scaffold functions', () => {
  it('lists the routes in template order: $connect, $disconnect, the custom routes, the room routes, $default', () => {
    const {routes} = functionsOf({rooms: true, routes: 'sendmessage'})
    assert.deepEqual(
      routes.map((route) => [route.key, route.kind, route.id, route.file, route.twoWay]),
      [
        ['$connect', 'connect', 'Connect', 'connect', false],
        ['$disconnect', 'disconnect', 'Disconnect', 'disconnect', false],
        ['sendmessage', 'custom', 'Sendmessage', 'sendmessage', false],
        ['join', 'join', 'Join', 'join', true],
        ['leave', 'leave', 'Leave', 'leave', true],
        ['whoami', 'whoami', 'Whoami', 'whoami', true],
        ['$default', 'default', 'Default', 'default', true],
      ],
    )
    assert.deepEqual(
      routes.filter((route) => route.example).map((route) => route.example),
      [
        '{"message":"sendmessage","data":"hello"}',
        '{"message":"join","room":"lobby"}',
        '{"message":"leave","room":"lobby"}',
        '{"message":"whoami"}',
      ],
    )
    assert.equal(functionsOf({auth: 'token'}).routes[0].authorized, true)
    assert.equal(functionsOf({auth: 'iam'}).routes[0].iam, true)
  })

  it('gives each function only the table actions its handler needs, and reserves concurrency on broadcasts only', () => {
    const {functions} = functionsOf({auth: 'jwt', reservedConcurrency: 7, rooms: true})
    const of = (id: string) => functions.find((fn) => fn.id === id)!
    assert.deepEqual(
      functions.map((fn) => fn.id),
      ['Connect', 'Disconnect', 'Sendmessage', 'Join', 'Leave', 'Whoami', 'Default', 'Fanout', 'Authorizer'],
    )
    assert.deepEqual(of('Connect').tableActions, ['dynamodb:PutItem'])
    assert.deepEqual(of('Sendmessage').tableActions, [
      'dynamodb:Scan',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ])
    assert.deepEqual(of('Join').membershipActions, ['dynamodb:PutItem'])
    assert.deepEqual(of('Disconnect').membershipActions, ['dynamodb:DeleteItem'])
    assert.equal(of('Sendmessage').principalIndex, true)
    assert.equal(of('Whoami').membershipIndex, true)
    assert.deepEqual(
      functions.filter((fn) => fn.reservedConcurrency !== undefined).map((fn) => fn.id),
      ['Sendmessage', 'Fanout'],
    )
    assert.equal(of('Fanout').timeout, 300)
    assert.equal(of('Authorizer').authorizer, true)
    const plain = functionsOf({rateLimit: 'off'})
    assert.deepEqual(plain.functions.find((fn) => fn.id === 'Sendmessage')!.tableActions, [
      'dynamodb:Scan',
      'dynamodb:DeleteItem',
    ])
    assert.equal(plain.functions.find((fn) => fn.id === 'Sendmessage')!.principalIndex, false)
  })

  it('gives colliding routes distinct ids and files', () => {
    const files = plan({routes: 'connect,Connect,chat-x,chat_x'})
      .files.map((file) => file.path)
      .filter((path) => path.startsWith('src/handlers/'))
    assert.deepEqual(files, [
      'src/handlers/chat-x.ts',
      'src/handlers/chat_x.ts',
      'src/handlers/connect.ts',
      'src/handlers/connect2.ts',
      'src/handlers/connect3.ts',
      'src/handlers/default.ts',
      'src/handlers/disconnect.ts',
      'src/handlers/fanout.ts',
    ])
    const project = loadProject(scaffoldProject({routes: 'connect,Connect'}))
    assert.deepEqual(
      project.routes.map((route) => [route.key, route.functionId]),
      [
        ['$connect', 'ConnectFunction'],
        ['$disconnect', 'DisconnectFunction'],
        ['connect', 'Connect2Function'],
        ['Connect', 'Connect3Function'],
        ['$default', 'DefaultFunction'],
      ],
    )
  })

  it('checks the fan-out settings and warns when the reservation cannot run every shard at once', () => {
    const options = (raw: RawInitOptions) => resolveInitOptions({name: 'chat', ...raw})
    assert.deepEqual([options({}).fanoutShards, options({}).fanoutInlineMax], [16, 250])
    for (const [raw, pattern] of [
      [{fanoutShards: '0'}, /Invalid fan-out shards "0"/],
      [{fanoutShards: 1001}, /Invalid fan-out shards/],
      [{fanoutInlineMax: '0'}, /Invalid fan-out inline maximum "0"/],
      [{fanoutInlineMax: 10_001}, /Invalid fan-out inline maximum/],
    ] as Array<[RawInitOptions, RegExp]>) {
      assert.throws(
        () => options(raw),
        (error: unknown) => error instanceof UsageError && pattern.test(error.message),
        JSON.stringify(raw),
      )
    }

    assert.match(
      plan({fanoutShards: 32, reservedConcurrency: 20}).warnings.join('\n'),
      /may run 20 at once .* 32 shards/,
    )
    assert.deepEqual(plan({fanoutShards: 32, reservedConcurrency: 'none'}).warnings, [])
  })

  it('warns when the reservations would not fit in the default Lambda quota', () => {
    assert.deepEqual(plan({fanoutShards: 1, reservedConcurrency: 450, routes: 'a,b'}).warnings, [])
    assert.match(
      plan({fanoutShards: 1, reservedConcurrency: 451, routes: 'a,b'}).warnings.join('\n'),
      /reserve 902 concurrent executions; an account with the default Lambda quota of 1000 can reserve at most 900/,
    )
    // The fan-out function reserves as much as each broadcast route.
    assert.deepEqual(plan({reservedConcurrency: 300, routes: 'a,b'}).warnings, [])
    assert.match(
      plan({reservedConcurrency: 301, routes: 'a,b'}).warnings.join('\n'),
      /reserve 903 concurrent executions/,
    )
  })

  it('warns about unreachable routes and long timeouts', () => {
    assert.deepEqual(plan().warnings, [])
    assert.match(plan({routeSelection: 'other'}).warnings.join('\n'), /No message can select route "sendmessage"/)
    assert.match(plan({timeout: 60}).warnings.join('\n'), /29 s/)
  })
})
