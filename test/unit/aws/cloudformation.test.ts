import assert from 'node:assert/strict'

import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation'

import {useCloudFormationMock} from '../../helpers/aws-mocks.js'
import {SimError} from '../../helpers/fake-cloudformation.js'

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/chat-v1/0a1b2c3d-1111-2222-3333-444455556666'
const CHANGE_SET_ID =
  'arn:aws:cloudformation:eu-west-1:123456789012:changeSet/wsapi-1/9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff'

describe('aws: CloudFormationApi (CloudFormation mocked)', () => {
  const mocked = useCloudFormationMock()
  const api = () => mocked.session.cloudFormation

  it('createChangeSet: parameters kept or given, tags as a list, empty capabilities left out', async () => {
    mocked.cfn.on(CreateChangeSetCommand).resolves({Id: CHANGE_SET_ID, StackId: STACK_ID})
    const created = await api().createChangeSet({
      capabilities: [],
      changeSetName: 'wsapi-1',
      changeSetType: 'UPDATE',
      clientToken: 'token-1',
      parameters: [
        {key: 'StageName', value: 'v1'},
        {key: 'AuthTokenSecret', usePreviousValue: true},
      ],
      stackName: 'chat-v1',
      tags: {'wsapi:project': 'chat'},
      templateUrl: 'https://b.s3.eu-west-1.amazonaws.com/chat-v1/t.json',
    })
    assert.deepEqual(created, {changeSetId: CHANGE_SET_ID, stackId: STACK_ID})
    assert.deepEqual(mocked.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input, {
      Capabilities: undefined,
      ChangeSetName: 'wsapi-1',
      ChangeSetType: 'UPDATE',
      ClientToken: 'token-1',
      Description: undefined,
      Parameters: [
        {ParameterKey: 'StageName', ParameterValue: 'v1'},
        {ParameterKey: 'AuthTokenSecret', UsePreviousValue: true},
      ],
      StackName: 'chat-v1',
      Tags: [{Key: 'wsapi:project', Value: 'chat'}],
      TemplateBody: undefined,
      TemplateURL: 'https://b.s3.eu-west-1.amazonaws.com/chat-v1/t.json',
    })
  })

  it('describeStack: the stack in plain shape, undefined when CloudFormation does not know it', async () => {
    mocked.cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          CreationTime: new Date(1000),
          Outputs: [{Description: 'Connect here', OutputKey: 'WebSocketUrl', OutputValue: 'wss://x/v1'}],
          Parameters: [{ParameterKey: 'AuthTokenSecret', ParameterValue: '****'}],
          StackId: STACK_ID,
          StackName: 'chat-v1',
          StackStatus: 'UPDATE_COMPLETE',
          Tags: [{Key: 'wsapi:stage', Value: 'v1'}],
        },
      ],
    })
    assert.deepEqual(await api().describeStack('chat-v1'), {
      changeSetId: undefined,
      creationTime: new Date(1000),
      deletionTime: undefined,
      lastUpdatedTime: undefined,
      outputs: [{description: 'Connect here', key: 'WebSocketUrl', value: 'wss://x/v1'}],
      parameters: [{key: 'AuthTokenSecret', value: '****'}],
      stackId: STACK_ID,
      stackName: 'chat-v1',
      status: 'UPDATE_COMPLETE',
      statusReason: undefined,
      tags: {'wsapi:stage': 'v1'},
    })
    mocked.cfn
      .on(DescribeStacksCommand)
      .rejects(new SimError('ValidationError', 'Stack with id chat-v2 does not exist'))
    assert.equal(await api().describeStack('chat-v2'), undefined)
    mocked.cfn.on(DescribeStacksCommand).rejects(new SimError('ValidationError', 'Template format error'))
    await assert.rejects(
      api().describeStack('chat-v1'),
      (error: Error & {code: string}) =>
        error.code === 'AWS_VALIDATION' &&
        error.message === 'CloudFormation DescribeStacks was refused: Template format error',
    )
  })

  it('describeChangeSet reads every page of changes', async () => {
    mocked.cfn
      .on(DescribeChangeSetCommand)
      .resolvesOnce({
        ChangeSetId: CHANGE_SET_ID,
        ChangeSetName: 'wsapi-1',
        Changes: [
          {
            ResourceChange: {
              Action: 'Modify',
              LogicalResourceId: 'DefaultFunction',
              PhysicalResourceId: 'chat-v1-Default',
              Replacement: 'False',
              ResourceType: 'AWS::Lambda::Function',
            },
          },
          {},
        ],
        NextToken: 'n1',
        StackId: STACK_ID,
        Status: 'CREATE_COMPLETE',
      })
      .resolvesOnce({
        ChangeSetId: CHANGE_SET_ID,
        Changes: [
          {ResourceChange: {Action: 'Add', LogicalResourceId: 'Room', ResourceType: 'AWS::ApiGatewayV2::Route'}},
        ],
        ExecutionStatus: 'AVAILABLE',
        Status: 'CREATE_COMPLETE',
      })
    const changeSet = await api().describeChangeSet(CHANGE_SET_ID)
    assert.deepEqual(
      changeSet.changes.map((change) => [change.action, change.logicalId, change.replacement]),
      [
        ['Modify', 'DefaultFunction', 'False'],
        ['Add', 'Room', undefined],
      ],
    )
    assert.deepEqual(
      [changeSet.status, changeSet.executionStatus, changeSet.changeSetId],
      ['CREATE_COMPLETE', 'AVAILABLE', CHANGE_SET_ID],
    )
    assert.deepEqual(
      mocked.cfn.commandCalls(DescribeChangeSetCommand).map((call) => call.args[0].input.NextToken),
      [undefined, 'n1'],
    )
  })

  it('events one page at a time, resources all pages; execute, delete and retain pass their tokens', async () => {
    mocked.cfn.on(DescribeStackEventsCommand).resolves({
      NextToken: 'e2',
      StackEvents: [
        {
          EventId: 'e1',
          LogicalResourceId: 'chat-v1',
          ResourceStatus: 'UPDATE_COMPLETE',
          ResourceType: 'AWS::CloudFormation::Stack',
          StackId: STACK_ID,
          StackName: 'chat-v1',
          Timestamp: new Date(5),
        },
      ],
    })
    const page = await api().describeStackEvents(STACK_ID)
    assert.deepEqual(page, {
      events: [
        {
          eventId: 'e1',
          logicalId: 'chat-v1',
          physicalId: undefined,
          reason: undefined,
          resourceType: 'AWS::CloudFormation::Stack',
          stackId: STACK_ID,
          status: 'UPDATE_COMPLETE',
          timestamp: new Date(5),
        },
      ],
      nextToken: 'e2',
    })

    mocked.cfn
      .on(ListStackResourcesCommand)
      .resolvesOnce({
        NextToken: 'r2',
        StackResourceSummaries: [
          {
            LastUpdatedTimestamp: new Date(1),
            LogicalResourceId: 'A',
            ResourceStatus: 'CREATE_COMPLETE',
            ResourceType: 'T',
          },
        ],
      })
      .resolvesOnce({
        StackResourceSummaries: [
          {
            LastUpdatedTimestamp: new Date(2),
            LogicalResourceId: 'B',
            PhysicalResourceId: 'b-1',
            ResourceStatus: 'DELETE_FAILED',
            ResourceStatusReason: 'in use',
            ResourceType: 'T',
          },
        ],
      })
    assert.deepEqual(
      (await api().listStackResources(STACK_ID)).map((resource) => [
        resource.logicalId,
        resource.status,
        resource.reason,
      ]),
      [
        ['A', 'CREATE_COMPLETE', undefined],
        ['B', 'DELETE_FAILED', 'in use'],
      ],
    )

    mocked.cfn.on(ExecuteChangeSetCommand).resolves({})
    mocked.cfn.on(DeleteStackCommand).resolves({})
    mocked.cfn.on(DeleteChangeSetCommand).resolves({})
    await api().executeChangeSet(CHANGE_SET_ID, 'exec-1')
    await api().deleteStack('chat-v1', {clientRequestToken: 'del-1', retainResources: []})
    await api().deleteStack('chat-v1', {clientRequestToken: 'del-2', retainResources: ['Assets']})
    await api().deleteChangeSet(CHANGE_SET_ID)
    assert.deepEqual(mocked.cfn.commandCalls(ExecuteChangeSetCommand)[0].args[0].input, {
      ChangeSetName: CHANGE_SET_ID,
      ClientRequestToken: 'exec-1',
    })
    assert.deepEqual(
      mocked.cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input),
      [
        {ClientRequestToken: 'del-1', RetainResources: undefined, StackName: 'chat-v1'},
        {ClientRequestToken: 'del-2', RetainResources: ['Assets'], StackName: 'chat-v1'},
      ],
    )
    assert.deepEqual(mocked.cfn.commandCalls(DeleteChangeSetCommand)[0].args[0].input, {ChangeSetName: CHANGE_SET_ID})
  })

  it('an SDK error becomes an AwsCallError naming the call', async () => {
    mocked.cfn
      .on(ExecuteChangeSetCommand)
      .rejects(
        new SimError(
          'AccessDenied',
          'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:ExecuteChangeSet',
          403,
        ),
      )
    await assert.rejects(
      api().executeChangeSet(CHANGE_SET_ID, 't'),
      (error: Error & {code: string; operation: string}) =>
        error.code === 'ACCESS_DENIED' &&
        error.operation === 'ExecuteChangeSet' &&
        /^Access denied to CloudFormation ExecuteChangeSet: User: /.test(error.message),
    )
  })
})
