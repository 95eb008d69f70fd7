import {type CloudFormationClient, DescribeStackEventsCommand, type StackEvent} from '@aws-sdk/client-cloudformation'
import type {AwsClientStub} from 'aws-sdk-client-mock'

/** A failed update's stack events, as the deploy unit tests read them. */
export const STACK_ID =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/chat-v1/0a1b2c3d-1111-2222-3333-444455556666'

export function event(
  id: string,
  second: number,
  logicalId: string,
  type: string,
  status: string,
  reason?: string,
): StackEvent {
  return {
    EventId: id,
    LogicalResourceId: logicalId,
    PhysicalResourceId: logicalId === 'chat-v1' ? STACK_ID : `chat-v1-${logicalId}-X1`,
    ResourceStatus: status as StackEvent['ResourceStatus'],
    ResourceStatusReason: reason,
    ResourceType: type,
    StackId: STACK_ID,
    StackName: 'chat-v1',
    Timestamp: new Date(Date.UTC(2026, 2, 1, 10, 0, second)),
  }
}

// A failed update as DescribeStackEvents returns it: newest first, in pages.
export const OLD = event('old-1', 0, 'chat-v1', 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE')
export const UPDATE = [
  event('e1', 10, 'chat-v1', 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', 'User Initiated'),
  event('e2', 11, 'DefaultFunction', 'AWS::Lambda::Function', 'UPDATE_IN_PROGRESS'),
  event('e3', 12, 'ConnectFunction', 'AWS::Lambda::Function', 'UPDATE_IN_PROGRESS'),
  event(
    'e4',
    14,
    'ConnectFunction',
    'AWS::Lambda::Function',
    'UPDATE_FAILED',
    'Resource handler returned message: "Unzipped size must be smaller than 262144000 bytes"',
  ),
  event('e5', 14, 'DefaultFunction', 'AWS::Lambda::Function', 'UPDATE_FAILED', 'Resource update cancelled'),
  event(
    'e6',
    15,
    'chat-v1',
    'AWS::CloudFormation::Stack',
    'UPDATE_ROLLBACK_IN_PROGRESS',
    'The following resource(s) failed to update: [ConnectFunction].',
  ),
  event('e7', 16, 'DefaultFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE'),
  event('e8', 17, 'chat-v1', 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_COMPLETE'),
]

/** Serves `events` (oldest first) the way AWS does: newest first, `size` per page. */
export function serveEvents(
  mocked: {readonly cfn: AwsClientStub<CloudFormationClient>},
  events: () => StackEvent[],
  size = 3,
): void {
  mocked.cfn.on(DescribeStackEventsCommand).callsFake((input: {NextToken?: string}) => {
    const newestFirst = [...events()].reverse()
    const start = Number(input.NextToken ?? 0)
    return {
      NextToken: start + size < newestFirst.length ? String(start + size) : undefined,
      StackEvents: newestFirst.slice(start, start + size),
    }
  })
}
