import assert from 'node:assert/strict'

import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetOutput,
} from '@aws-sdk/client-cloudformation'

import {createChangeSet, newChangeSetName} from '../../../src/lib/deploy/index.js'
import {useCloudFormationMock} from '../../helpers/aws-mocks.js'

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/chat-v1/0a1b2c3d-1111-2222-3333-444455556666'
const CHANGE_SET_ID =
  'arn:aws:cloudformation:eu-west-1:123456789012:changeSet/wsapi-2026-03-01T10-00-00-000Z/9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff'

function described(status: string, extra: Partial<DescribeChangeSetOutput> = {}): DescribeChangeSetOutput {
  return {
    ChangeSetId: CHANGE_SET_ID,
    ChangeSetName: 'wsapi-2026-03-01T10-00-00-000Z',
    ExecutionStatus: 'UNAVAILABLE',
    StackId: STACK_ID,
    StackName: 'chat-v1',
    Status: status as never,
    ...extra,
  }
}

describe('createChangeSet', () => {
  const mocked = useCloudFormationMock()

  beforeEach(() => {
    mocked.cfn.on(CreateChangeSetCommand).resolves({Id: CHANGE_SET_ID, StackId: STACK_ID})
  })

  const input = {changeSetType: 'UPDATE' as const, parameters: [], stackName: 'chat-v1', templateBody: '{}'}

  it('names change sets so that they sort by time and are valid CloudFormation names', () => {
    const name = newChangeSetName(new Date('2026-03-01T10:20:30.456Z'))
    assert.equal(name, 'wsapi-2026-03-01T10-20-30-456Z')
    assert.match(name, /^[A-Za-z][-A-Za-z0-9]*$/)
  })

  it('waits through CREATE_PENDING and CREATE_IN_PROGRESS, and reads every page of changes', async () => {
    mocked.cfn
      .on(DescribeChangeSetCommand)
      .resolvesOnce(described('CREATE_PENDING'))
      .resolvesOnce(described('CREATE_IN_PROGRESS'))
      .resolvesOnce(
        described('CREATE_COMPLETE', {
          Changes: [
            {
              ResourceChange: {
                Action: 'Modify',
                LogicalResourceId: 'ConnectFunction',
                PhysicalResourceId: 'chat-v1-ConnectFunction-X1',
                Replacement: 'False',
                ResourceType: 'AWS::Lambda::Function',
              },
              Type: 'Resource',
            },
          ],
          ExecutionStatus: 'AVAILABLE',
          NextToken: 'page-2',
        }),
      )
      .resolvesOnce(
        described('CREATE_COMPLETE', {
          Changes: [
            {
              ResourceChange: {
                Action: 'Modify',
                LogicalResourceId: 'ConnectionsTable',
                Replacement: 'True',
                ResourceType: 'AWS::DynamoDB::Table',
              },
              Type: 'Resource',
            },
          ],
          ExecutionStatus: 'AVAILABLE',
        }),
      )
    const outcome = await createChangeSet(mocked.session.cloudFormation, input, {pollIntervalMs: 1})
    assert.equal(outcome.type, 'ready')
    assert.deepEqual(outcome.type === 'ready' && outcome.changeSet.changes, [
      {
        action: 'Modify',
        logicalId: 'ConnectFunction',
        physicalId: 'chat-v1-ConnectFunction-X1',
        replacement: 'False',
        resourceType: 'AWS::Lambda::Function',
      },
      {
        action: 'Modify',
        logicalId: 'ConnectionsTable',
        physicalId: undefined,
        replacement: 'True',
        resourceType: 'AWS::DynamoDB::Table',
      },
    ])
    assert.deepEqual(
      mocked.cfn.commandCalls(DescribeChangeSetCommand).map((call) => call.args[0].input.NextToken),
      [undefined, undefined, undefined, 'page-2'],
    )
    const create = mocked.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input
    assert.equal(create.ChangeSetType, 'UPDATE')
    assert.match(create.ChangeSetName!, /^wsapi-\d{4}-\d\d-\d\dT/)
    assert.match(create.ClientToken!, /^wsapi-[0-9a-f-]{36}$/)
  })

  for (const reason of [
    "The submitted information didn't contain changes. Submit different information to create a change set.",
    'No updates are to be performed.',
  ]) {
    it(`an empty change set is its own outcome: "${reason.slice(0, 40)}…"`, async () => {
      mocked.cfn
        .on(DescribeChangeSetCommand)
        .resolvesOnce(described('CREATE_PENDING'))
        .resolves(described('FAILED', {StatusReason: reason}))
      const outcome = await createChangeSet(mocked.session.cloudFormation, input, {pollIntervalMs: 1})
      assert.deepEqual(outcome, {changeSetId: CHANGE_SET_ID, reason, stackId: STACK_ID, type: 'empty'})
    })
  }

  it('a change set CloudFormation could not make is a failure with its reason', async () => {
    const reason = 'Template error: instance of Fn::GetAtt references undefined resource ConnectRole'
    mocked.cfn.on(DescribeChangeSetCommand).resolves(described('FAILED', {StatusReason: reason}))
    assert.deepEqual(await createChangeSet(mocked.session.cloudFormation, input, {pollIntervalMs: 1}), {
      changeSetId: CHANGE_SET_ID,
      reason,
      stackId: STACK_ID,
      type: 'failed',
    })
  })
})
