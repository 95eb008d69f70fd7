import assert from 'node:assert/strict'

import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import {DynamoDBClient, ScanCommand} from '@aws-sdk/client-dynamodb'
import {type AwsClientStub, mockClient} from 'aws-sdk-client-mock'

import {ConnectionGoneError, type ConnectionsApi, createConnectionsApi} from '../../../src/lib/aws/connections.js'
import {TEST_AWS} from '../../helpers/aws-mocks.js'

const ENDPOINT = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1'

describe('aws: ConnectionsApi (DynamoDB and @connections mocked)', () => {
  let dynamo: AwsClientStub<DynamoDBClient>
  let management: AwsClientStub<ApiGatewayManagementApiClient>
  let api: ConnectionsApi

  before(() => {
    dynamo = mockClient(DynamoDBClient)
    management = mockClient(ApiGatewayManagementApiClient)
  })
  beforeEach(async () => {
    dynamo.reset()
    management.reset()
    api = await createConnectionsApi({aws: TEST_AWS, managementEndpoint: ENDPOINT, region: 'eu-west-1'})
  })
  afterEach(() => api.destroy())
  after(() => {
    dynamo.restore()
    management.restore()
  })

  it('scan reads every page and gives items as plain JSON, whatever the attribute types', async () => {
    dynamo
      .on(ScanCommand)
      .resolvesOnce({
        Items: [{connectionId: {S: 'a='}, ttl: {N: '1800000000'}}],
        LastEvaluatedKey: {connectionId: {S: 'a='}},
      })
      .resolvesOnce({
        Items: [
          {
            bin: {B: Buffer.from('hi')},
            bins: {BS: [Buffer.from('x')]},
            connectionId: {S: 'b='},
            flags: {BOOL: false},
            list: {L: [{S: 'x'}, {N: '2'}]},
            map: {M: {nested: {NULL: true}}},
            numbers: {NS: ['1', '2.5']},
            rooms: {SS: ['lobby', 'dev']},
          },
        ],
      })
    const items = []
    for await (const item of api.scan('chat-v1-Connections')) items.push(item)
    assert.deepEqual(items, [
      {connectionId: 'a=', ttl: 1_800_000_000},
      {
        bin: 'aGk=',
        bins: ['eA=='],
        connectionId: 'b=',
        flags: false,
        list: ['x', 2],
        map: {nested: null},
        numbers: [1, 2.5],
        rooms: ['lobby', 'dev'],
      },
    ])
    assert.deepEqual(
      dynamo.commandCalls(ScanCommand).map((call) => call.args[0].input),
      [
        {ExclusiveStartKey: undefined, TableName: 'chat-v1-Connections'},
        {ExclusiveStartKey: {connectionId: {S: 'a='}}, TableName: 'chat-v1-Connections'},
      ],
    )
  })

  it('post and drop call @connections for that connection', async () => {
    management.on(PostToConnectionCommand).resolves({})
    management.on(DeleteConnectionCommand).resolves({})
    await api.post('a=', Buffer.from('hello'))
    await api.drop('b=')
    const post = management.commandCalls(PostToConnectionCommand)[0].args[0].input
    assert.deepEqual([post.ConnectionId, Buffer.from(post.Data as Uint8Array).toString()], ['a=', 'hello'])
    assert.equal(management.commandCalls(DeleteConnectionCommand)[0].args[0].input.ConnectionId, 'b=')
  })

  it('410 GoneException is a ConnectionGoneError naming the connection; other errors name the call', async () => {
    management.on(PostToConnectionCommand).rejects(new GoneException({$metadata: {httpStatusCode: 410}, message: ''}))
    await assert.rejects(
      api.post('gone=', Buffer.from('x')),
      (error: unknown) =>
        error instanceof ConnectionGoneError &&
        error.connectionId === 'gone=' &&
        error.code === 'GONE' &&
        error.message === 'connection gone= is gone',
    )
    management
      .on(DeleteConnectionCommand)
      .rejects(new ForbiddenException({$metadata: {httpStatusCode: 403}, message: 'Forbidden'}))
    await assert.rejects(
      api.drop('a='),
      (error: Error & {code: string}) =>
        error.code === 'ACCESS_DENIED' &&
        error.message.startsWith('Access denied to ApiGatewayManagementApi DeleteConnection'),
    )
    dynamo.on(ScanCommand).rejects(
      Object.assign(new Error('Requested resource not found'), {
        $metadata: {httpStatusCode: 400},
        name: 'ResourceNotFoundException',
      }),
    )
    await assert.rejects(
      (async () => {
        for await (const _item of api.scan('missing')) assert.fail('no items')
      })(),
      /^AwsCallError: DynamoDB Scan failed: ResourceNotFoundException: Requested resource not found$/,
    )
  })
})
