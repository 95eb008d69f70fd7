import assert from 'node:assert/strict'

import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import {CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand} from '@aws-sdk/client-cloudformation'
import {DynamoDBClient, ScanCommand} from '@aws-sdk/client-dynamodb'
import {type AwsClientStub, mockClient} from 'aws-sdk-client-mock'

import {
  dropConnection,
  listConnections,
  postToConnection,
  resolveConnectionsTarget,
  toConnectionRow,
} from '../../../src/lib/connections/index.js'
import type {WsapiError} from '../../../src/lib/errors.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {TEST_AWS} from '../../helpers/aws-mocks.js'
import {scaffoldProject} from '../../helpers/project.js'

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/chat-v1/0c4d6a10-8f2e-11ef-9a3b-0a1b2c3d4e5f'
const TABLE = 'chat-v1-ConnectionsTable-1X2Y3Z4W5V6U'
const ENDPOINT = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1'
const MEMBERSHIPS = 'chat-v1-MembershipsTable-9A8B7C6D5E4F'

describe('wsapi connections against a deployed stage (mocked CloudFormation, DynamoDB and @connections)', () => {
  let cfn: AwsClientStub<CloudFormationClient>
  let dynamo: AwsClientStub<DynamoDBClient>
  let management: AwsClientStub<ApiGatewayManagementApiClient>
  let dir: string

  before(() => {
    dir = scaffoldProject()
  })

  beforeEach(() => {
    cfn = mockClient(CloudFormationClient)
    dynamo = mockClient(DynamoDBClient)
    management = mockClient(ApiGatewayManagementApiClient)
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          CreationTime: new Date('2026-12-01T10:00:00Z'),
          Outputs: [
            {OutputKey: 'WebSocketUrl', OutputValue: 'wss://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1'},
            {OutputKey: 'ManagementEndpoint', OutputValue: ENDPOINT},
            {OutputKey: 'ApiId', OutputValue: 'a1b2c3d4e5'},
            {OutputKey: 'StageName', OutputValue: 'v1'},
            {OutputKey: 'ConnectionsTable', OutputValue: TABLE},
          ],
          StackId: STACK_ID,
          StackName: 'chat-v1',
          StackStatus: 'UPDATE_COMPLETE',
        },
      ],
    })
  })

  afterEach(() => {
    cfn.restore()
    dynamo.restore()
    management.restore()
  })

  const target = () => resolveConnectionsTarget({aws: TEST_AWS, deployed: true, dir, output: new RecordingOutput()})

  it('lists the table (every Scan page) oldest first, connectedAt as ISO, principal and rooms when stored', async () => {
    dynamo
      .on(ScanCommand)
      .resolvesOnce({
        Count: 1,
        Items: [
          {
            connectedAt: {N: '1764842400500'},
            connectionId: {S: 'L0SM9cOFvHcCIhw='},
            expiresAt: {N: '1764849600'},
            principal: {S: 'alice'},
            rooms: {SS: ['lobby', 'dev']},
          },
        ],
        LastEvaluatedKey: {connectionId: {S: 'L0SM9cOFvHcCIhw='}},
        ScannedCount: 1,
      })
      .resolvesOnce({
        Count: 1,
        Items: [
          {connectedAt: {N: '1764842400000'}, connectionId: {S: 'K9aa1cOFvHcCAbc='}, expiresAt: {N: '1764849600'}},
        ],
        ScannedCount: 1,
      })
    const resolved = await target()
    assert.deepEqual(
      {...resolved, aws: undefined},
      {
        aws: undefined,
        idAttribute: 'connectionId',
        label: 'chat-v1',
        managementEndpoint: ENDPOINT,
        region: 'eu-west-1',
        source: 'deployed',
        tableName: TABLE,
      },
    )
    const rows = await listConnections(resolved)
    assert.deepEqual(rows, [
      {
        connectedAt: '2025-12-04T10:00:00.000Z',
        connectionId: 'K9aa1cOFvHcCAbc=',
        expiresAt: '2025-12-04T12:00:00.000Z',
      },
      {
        connectedAt: '2025-12-04T10:00:00.500Z',
        connectionId: 'L0SM9cOFvHcCIhw=',
        expiresAt: '2025-12-04T12:00:00.000Z',
        principal: 'alice',
        rooms: ['dev', 'lobby'],
      },
    ])
    const scans = dynamo.commandCalls(ScanCommand).map((call) => call.args[0].input)
    assert.deepEqual(
      scans.map((input) => [input.TableName, input.ExclusiveStartKey]),
      [
        [TABLE, undefined],
        [TABLE, {connectionId: {S: 'L0SM9cOFvHcCIhw='}}],
      ],
    )
  })

  it('post and drop go to the stage\'s @connections endpoint; GoneException is "connection X is gone" (exit 1)', async () => {
    management.on(PostToConnectionCommand).resolves({})
    management.on(DeleteConnectionCommand).resolves({})
    const resolved = await target()
    await postToConnection(resolved, 'L0SM9cOFvHcCIhw=', Buffer.from('{"message":"hi"}'))
    const post = management.commandCalls(PostToConnectionCommand)[0]
    assert.equal(post.args[0].input.ConnectionId, 'L0SM9cOFvHcCIhw=')
    assert.equal(Buffer.from(post.args[0].input.Data as Uint8Array).toString(), '{"message":"hi"}')
    const endpoint = await (post.thisValue as ApiGatewayManagementApiClient).config.endpoint!()
    assert.equal(`${endpoint.protocol}//${endpoint.hostname}${endpoint.path}`, ENDPOINT)

    await dropConnection(resolved, 'L0SM9cOFvHcCIhw=')
    assert.equal(management.commandCalls(DeleteConnectionCommand)[0].args[0].input.ConnectionId, 'L0SM9cOFvHcCIhw=')

    management.on(PostToConnectionCommand).rejects(new GoneException({$metadata: {httpStatusCode: 410}, message: ''}))
    await assert.rejects(postToConnection(resolved, 'L0SM9cOFvHcCIhw=', Buffer.from('x')), (error: WsapiError) => {
      assert.equal(error.message, 'connection L0SM9cOFvHcCIhw= is gone')
      assert.equal(error.exit, 1)
      return true
    })
    await assert.rejects(
      postToConnection(resolved, 'bad id\u001b[2J', Buffer.from('x')),
      (error: WsapiError) => error.exit === 2 && /^Invalid connection id "bad id\\u001b\[2J"/.test(error.message),
    )
  })

  it('a stage that is not deployed: one line saying what to do (exit 1)', async () => {
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id chat-v1 does not exist'), {
        $metadata: {httpStatusCode: 400},
        name: 'ValidationError',
      }),
    )
    await assert.rejects(target(), (error: WsapiError) => {
      assert.equal(error.exit, 1)
      assert.equal(
        error.message,
        'No wsapi dev runs in this project and chat-v1 is not deployed in eu-west-1: start `wsapi dev`, or deploy with `wsapi deploy` (or pass the --stage / --region it is in).',
      )
      return true
    })
  })

  it('rows: another id attribute, numbers stored as strings, a single room, extra attributes kept', () => {
    assert.deepEqual(
      toConnectionRow({connectedAt: '1764842400000', id: 'abc=', room: 'lobby', userId: 'u-1', via: 'mobile'}, 'id'),
      {
        attributes: {via: 'mobile'},
        connectedAt: '2025-12-04T10:00:00.000Z',
        connectionId: 'abc=',
        principal: 'u-1',
        rooms: ['lobby'],
      },
    )
  })
})

describe('wsapi connections of a `wsapi init --rooms --auth jwt` stage: rooms from the memberships table', () => {
  let cfn: AwsClientStub<CloudFormationClient>
  let dynamo: AwsClientStub<DynamoDBClient>
  let dir: string

  const stackOutputs = (withMemberships: boolean) => [
    {OutputKey: 'WebSocketUrl', OutputValue: 'wss://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1'},
    {OutputKey: 'ManagementEndpoint', OutputValue: ENDPOINT},
    {OutputKey: 'ApiId', OutputValue: 'a1b2c3d4e5'},
    {OutputKey: 'StageName', OutputValue: 'v1'},
    {OutputKey: 'ConnectionsTable', OutputValue: TABLE},
    ...(withMemberships ? [{OutputKey: 'MembershipsTable', OutputValue: MEMBERSHIPS}] : []),
  ]

  const describes = (withMemberships: boolean) => ({
    Stacks: [
      {
        CreationTime: new Date('2026-12-01T10:00:00Z'),
        Outputs: stackOutputs(withMemberships),
        StackId: STACK_ID,
        StackName: 'chat-v1',
        StackStatus: 'UPDATE_COMPLETE' as const,
      },
    ],
  })

  /** What the generated handlers store: connections with principalId (the authorizer's), memberships keyed room + connectionId. */
  const tables = () => {
    dynamo.on(ScanCommand, {TableName: TABLE}).resolves({
      Count: 3,
      Items: [
        {
          connectedAt: {N: '1764842400500'},
          connectionId: {S: 'L0SM9cOFvHcCIhw='},
          expiresAt: {N: '1764849600'},
          principalId: {S: 'alice'},
        },
        {
          connectedAt: {N: '1764842400000'},
          connectionId: {S: 'K9aa1cOFvHcCAbc='},
          expiresAt: {N: '1764849600'},
          principalId: {S: 'bob'},
        },
        {
          connectedAt: {N: '1764842401000'},
          connectionId: {S: 'M1bb2dPGwIdDBcd='},
          expiresAt: {N: '1764849601'},
          principalId: {S: 'carol'},
        },
      ],
      ScannedCount: 3,
    })
    dynamo
      .on(ScanCommand, {TableName: MEMBERSHIPS})
      .resolvesOnce({
        Count: 2,
        Items: [
          {connectionId: {S: 'L0SM9cOFvHcCIhw='}, room: {S: 'lobby'}},
          {connectionId: {S: 'K9aa1cOFvHcCAbc='}, room: {S: 'lobby'}},
        ],
        LastEvaluatedKey: {connectionId: {S: 'K9aa1cOFvHcCAbc='}, room: {S: 'lobby'}},
        ScannedCount: 2,
      })
      .resolvesOnce({
        Count: 2,
        Items: [
          {connectionId: {S: 'L0SM9cOFvHcCIhw='}, room: {S: 'dev'}},
          // A connection that has gone: its membership waits for TTL and is not listed.
          {connectionId: {S: 'Zz9GoneFvHcCXyz='}, room: {S: 'lobby'}},
        ],
        ScannedCount: 2,
      })
  }

  before(() => {
    dir = scaffoldProject({auth: 'jwt', rooms: true})
  })

  beforeEach(() => {
    cfn = mockClient(CloudFormationClient)
    dynamo = mockClient(DynamoDBClient)
  })

  afterEach(() => {
    cfn.restore()
    dynamo.restore()
  })

  const target = () => resolveConnectionsTarget({aws: TEST_AWS, deployed: true, dir, output: new RecordingOutput()})

  it("principalId as the principal; each connection's rooms from one paged Scan of the memberships table (keys only); none is []", async () => {
    cfn.on(DescribeStacksCommand).resolves(describes(true))
    tables()
    const resolved = await target()
    assert.deepEqual(resolved.memberships, {
      connectionAttribute: 'connectionId',
      roomAttribute: 'room',
      tableName: MEMBERSHIPS,
    })
    assert.deepEqual(await listConnections(resolved), [
      {
        connectedAt: '2025-12-04T10:00:00.000Z',
        connectionId: 'K9aa1cOFvHcCAbc=',
        expiresAt: '2025-12-04T12:00:00.000Z',
        principal: 'bob',
        rooms: ['lobby'],
      },
      {
        connectedAt: '2025-12-04T10:00:00.500Z',
        connectionId: 'L0SM9cOFvHcCIhw=',
        expiresAt: '2025-12-04T12:00:00.000Z',
        principal: 'alice',
        rooms: ['dev', 'lobby'],
      },
      {
        connectedAt: '2025-12-04T10:00:01.000Z',
        connectionId: 'M1bb2dPGwIdDBcd=',
        expiresAt: '2025-12-04T12:00:01.000Z',
        principal: 'carol',
        rooms: [],
      },
    ])
    const membershipScans = dynamo.commandCalls(ScanCommand, {TableName: MEMBERSHIPS}).map((call) => call.args[0].input)
    assert.deepEqual(
      membershipScans.map((input) => [
        input.ProjectionExpression,
        input.ExpressionAttributeNames,
        input.ExclusiveStartKey,
      ]),
      [
        ['#a0, #a1', {'#a0': 'room', '#a1': 'connectionId'}, undefined],
        [
          '#a0, #a1',
          {'#a0': 'room', '#a1': 'connectionId'},
          {connectionId: {S: 'K9aa1cOFvHcCAbc='}, room: {S: 'lobby'}},
        ],
      ],
    )
    assert.equal(dynamo.commandCalls(ScanCommand, {TableName: TABLE}).length, 1)
    assert.equal(cfn.commandCalls(ListStackResourcesCommand).length, 0)
  })

  it("a stack without the MembershipsTable output: the table's name from the stack's resources", async () => {
    cfn.on(DescribeStacksCommand).resolves(describes(false))
    cfn.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LastUpdatedTimestamp: new Date('2026-12-01T10:00:00Z'),
          LogicalResourceId: 'ConnectionsTable',
          PhysicalResourceId: TABLE,
          ResourceStatus: 'CREATE_COMPLETE',
          ResourceType: 'AWS::DynamoDB::Table',
        },
        {
          LastUpdatedTimestamp: new Date('2026-12-01T10:00:00Z'),
          LogicalResourceId: 'MembershipsTable',
          PhysicalResourceId: MEMBERSHIPS,
          ResourceStatus: 'CREATE_COMPLETE',
          ResourceType: 'AWS::DynamoDB::Table',
        },
      ],
    })
    tables()
    const resolved = await target()
    assert.equal(resolved.memberships?.tableName, MEMBERSHIPS)
    assert.equal(resolved.tableName, TABLE)
    const rows = await listConnections(resolved)
    assert.deepEqual(
      rows.map((row) => [row.principal, row.rooms]),
      [
        ['bob', ['lobby']],
        ['alice', ['dev', 'lobby']],
        ['carol', []],
      ],
    )
  })
})
