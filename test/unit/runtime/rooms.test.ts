import assert from 'node:assert/strict'
import type {Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import {CreateTableCommand, DynamoDBClient, GetItemCommand} from '@aws-sdk/client-dynamodb'
import {mockClient} from 'aws-sdk-client-mock'

import {ConnectionsTable} from '../../../runtime/connections.js'
import type {BroadcastSpec} from '../../../runtime/fanout.js'
import {
  addConnectionOfPrincipal,
  checkRoomName,
  connectionsOfPrincipal,
  MembershipsTable,
  messageTarget,
  planRoomShards,
  principalOf,
  requestedRoom,
  ROOM_SHARD_MAX_RECIPIENTS,
  sendDirect,
  sendToRoom,
} from '../../../runtime/rooms.js'

describe('runtime rooms', () => {
  describe('room names and targets', () => {
    it('accepts 1 to 64 letters, digits, _ . and -; refuses anything else with a message saying so', () => {
      for (const room of ['a', 'lobby', 'team_1.dev-ops', 'x'.repeat(64)])
        assert.deepEqual(checkRoomName(room), {ok: true, room})
      for (const room of ['', 'x'.repeat(65), 'with space', 'slash/room', 'émoji', 7, null, undefined]) {
        const check = checkRoomName(room)
        assert.equal(check.ok, false, String(room))
        if (!check.ok) assert.match(check.error, /1 to 64 letters, digits, "_", "\." or "-"/)
      }
    })

    it('reads the target of a message: everyone, a room, or one recipient; never both', () => {
      assert.deepEqual(messageTarget('{"data":1}'), {ok: true, target: {kind: 'all'}})
      assert.deepEqual(messageTarget('{"data":1,"room":"a"}'), {ok: true, target: {kind: 'room', room: 'a'}})
      assert.deepEqual(messageTarget('{"data":1,"to":"AbCd="}'), {ok: true, target: {kind: 'to', to: 'AbCd='}})
      assert.deepEqual(messageTarget('{"data":1,"to":"user:alice"}'), {
        ok: true,
        target: {kind: 'to', to: 'user:alice'},
      })
      assert.match((messageTarget('{"data":1,"room":"a","to":"b"}') as {error: string}).error, /not both/)
      assert.match((messageTarget('{"data":1,"room":"a b"}') as {error: string}).error, /Invalid room name/)
      for (const to of ['', 'user:', 'has space', 5])
        assert.match((messageTarget(JSON.stringify({data: 1, to})) as {error: string}).error, /Invalid recipient/)
    })

    it('shows a request that works when join or leave gets a bad one', () => {
      const example = '{"message":"join","room":"lobby"}'
      assert.deepEqual(requestedRoom('{"message":"join","room":"a"}', example), {ok: true, room: 'a'})
      assert.match((requestedRoom('not json', example) as {error: string}).error, /not JSON\. Send \{"message":"join"/)
      assert.match(
        (requestedRoom('{"message":"join"}', example) as {error: string}).error,
        /Invalid room name null.*Send \{"message":"join"/,
      )
    })

    it('takes the principal from the authorizer, or the IAM caller, or none', () => {
      const context = (extra: object) => ({requestContext: {identity: {sourceIp: '203.0.113.1'}, ...extra}}) as never
      assert.equal(principalOf(context({authorizer: {principalId: 'alice'}})), 'alice')
      assert.equal(
        principalOf(context({identity: {sourceIp: '203.0.113.1', userArn: 'arn:aws:iam::1:user/bob'}})),
        'arn:aws:iam::1:user/bob',
      )
      assert.equal(principalOf(context({})), undefined)
    })
  })

  it('splits a large room into fan-out tasks that carry its members and share the budget', () => {
    const broadcast: BroadcastSpec = {
      data: {room: 'a'},
      endpoint: 'https://x',
      id: 'm1',
      route: 'sendmessage',
      startedAt: 0,
    }
    const members = Array.from({length: 1001}, (_, index) => `m${index}`)
    const tasks = planRoomShards(broadcast, members, {postsPerSecond: 9000, shards: 4})
    assert.equal(tasks.length, 4)
    assert.deepEqual(
      tasks.flatMap((task) => task.pending),
      members,
    )
    assert.ok(tasks.every((task) => task.scan === undefined && task.postsPerSecond === 2250))
    // However few shards, no task carries more than its payload can hold.
    const huge = planRoomShards(
      broadcast,
      Array.from({length: 3 * ROOM_SHARD_MAX_RECIPIENTS + 1}, (_, index) => `m${index}`),
      {postsPerSecond: 9000, shards: 2},
    )
    assert.equal(huge.length, 4)
    assert.ok(huge.every((task) => task.pending!.length <= ROOM_SHARD_MAX_RECIPIENTS))
  })

  describe('tables (against dynalite)', function () {
    this.timeout(20_000)
    let server: Server
    let client: DynamoDBClient
    let memberships: MembershipsTable
    let connections: ConnectionsTable
    // This one client is mocked, not the class: other files post to real local servers.
    const management = new ApiGatewayManagementApiClient({region: 'us-east-1'})
    const api = mockClient(management)

    before(async () => {
      const {default: dynalite} = await import('dynalite')
      server = dynalite({createTableMs: 0, deleteTableMs: 0, updateTableMs: 0})
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      client = new DynamoDBClient({
        credentials: {accessKeyId: 'local', secretAccessKey: 'local'},
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        region: 'us-east-1',
      })
      await client.send(
        new CreateTableCommand({
          AttributeDefinitions: [
            {AttributeName: 'room', AttributeType: 'S'},
            {AttributeName: 'connectionId', AttributeType: 'S'},
          ],
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: [
            {
              IndexName: 'byConnection',
              KeySchema: [
                {AttributeName: 'connectionId', KeyType: 'HASH'},
                {AttributeName: 'room', KeyType: 'RANGE'},
              ],
              Projection: {ProjectionType: 'KEYS_ONLY'},
            },
          ],
          KeySchema: [
            {AttributeName: 'room', KeyType: 'HASH'},
            {AttributeName: 'connectionId', KeyType: 'RANGE'},
          ],
          TableName: 'memberships',
        }),
      )
      await client.send(
        new CreateTableCommand({
          AttributeDefinitions: [
            {AttributeName: 'cid', AttributeType: 'S'},
            {AttributeName: 'principalId', AttributeType: 'S'},
          ],
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: [
            {
              IndexName: 'byPrincipal',
              KeySchema: [{AttributeName: 'principalId', KeyType: 'HASH'}],
              Projection: {ProjectionType: 'KEYS_ONLY'},
            },
          ],
          KeySchema: [{AttributeName: 'cid', KeyType: 'HASH'}],
          TableName: 'connections',
        }),
      )
      memberships = new MembershipsTable({client, tableName: 'memberships'})
      connections = new ConnectionsTable({client, idAttribute: 'cid', tableName: 'connections'})
    })

    beforeEach(() => {
      api.reset()
      api.on(PostToConnectionCommand).resolves({})
    })

    after(async () => {
      api.restore()
      client?.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    })

    const posted = () =>
      api
        .commandCalls(PostToConnectionCommand)
        .map((call) => [
          call.args[0].input.ConnectionId,
          new TextDecoder().decode(call.args[0].input.Data as Uint8Array),
        ])

    it('joins, lists members by room and rooms by connection, and leaves every room at once', async () => {
      const connectedAt = Date.now()
      await memberships.join('a', 'c1', connectedAt)
      await memberships.join('a', 'c2', connectedAt)
      await memberships.join('b', 'c1', connectedAt)
      await memberships.join('b', 'c3', connectedAt)

      const members = []
      for await (const id of memberships.members('a')) members.push(id)
      assert.deepEqual(members.sort(), ['c1', 'c2'])
      assert.equal(await memberships.isMember('a', 'c1'), true)
      assert.equal(await memberships.isMember('a', 'c3'), false)
      assert.deepEqual(await memberships.roomsOf('c1'), ['a', 'b'])
      const {Item: item} = await client.send(
        new GetItemCommand({Key: {connectionId: {S: 'c1'}, room: {S: 'a'}}, TableName: 'memberships'}),
      )
      assert.equal(item?.expiresAt?.N, String(Math.floor(connectedAt / 1000) + 7200))

      assert.deepEqual(await memberships.leaveAll('c1'), ['a', 'b'])
      assert.deepEqual(await memberships.roomsOf('c1'), [])
      assert.equal(await memberships.isMember('b', 'c3'), true, 'others stay')
      await memberships.leave('b', 'c3')
      assert.equal(await memberships.isMember('b', 'c3'), false)
    })

    it('sends to a room through the broadcast, as {room, from, data}; a gone member leaves the room', async () => {
      const connectedAt = Date.now() - 60_000
      await memberships.join('r', 'c1', connectedAt)
      await memberships.join('r', 'gone1', connectedAt)
      await memberships.join('elsewhere', 'c9', connectedAt)
      api
        .on(PostToConnectionCommand, {ConnectionId: 'gone1'})
        .rejects(new GoneException({$metadata: {}, message: 'Gone'}))

      const result = await sendToRoom({
        client: management,
        concurrency: 4,
        connections,
        data: {t: 1},
        memberships,
        room: 'r',
        sender: 'c1',
      })

      assert.deepEqual(result, {failed: 0, gone: 1, sent: 1})
      assert.deepEqual(posted().sort(), [
        ['c1', '{"room":"r","from":"c1","data":{"t":1}}'],
        ['gone1', '{"room":"r","from":"c1","data":{"t":1}}'],
      ])
      assert.equal(await memberships.isMember('r', 'gone1'), false)
    })

    it('sends directly to one connection, or to every connection of one principal', async () => {
      const now = Date.now()
      await addConnectionOfPrincipal(connections, 'alice1', now, 'alice')
      await addConnectionOfPrincipal(connections, 'alice2', now, 'alice')
      await addConnectionOfPrincipal(connections, 'bob1', now, 'bob')
      await addConnectionOfPrincipal(connections, 'anon1', now, undefined)
      assert.deepEqual((await connectionsOfPrincipal(connections, 'alice')).sort(), ['alice1', 'alice2'])

      assert.deepEqual(
        await sendDirect({client: management, connections, data: 'hi', sender: 'bob1', to: 'user:alice'}),
        {failed: 0, gone: 0, sent: 2},
      )
      assert.deepEqual(posted().sort(), [
        ['alice1', '{"from":"bob1","to":"user:alice","data":"hi"}'],
        ['alice2', '{"from":"bob1","to":"user:alice","data":"hi"}'],
      ])

      api.reset()
      api.on(PostToConnectionCommand).rejects(new GoneException({$metadata: {}, message: 'Gone'}))
      assert.deepEqual(await sendDirect({client: management, connections, data: 'hi', sender: 'bob1', to: 'anon1'}), {
        failed: 0,
        gone: 1,
        sent: 0,
      })
      assert.deepEqual(
        await sendDirect({client: management, connections, data: 'hi', sender: 'bob1', to: 'user:nobody'}),
        {failed: 0, gone: 0, sent: 0},
      )
    })
  })
})
