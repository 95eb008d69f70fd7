import assert from 'node:assert/strict'

import {DescribeStackEventsCommand, DescribeStacksCommand, type StackEvent} from '@aws-sdk/client-cloudformation'

import {AwsCallError} from '../../../src/lib/aws/index.js'
import {pollUntil, StackActivityMonitor, StackEventPoller, waitForStack} from '../../../src/lib/deploy/index.js'
import {useCloudFormationMock} from '../../helpers/aws-mocks.js'
import {SimError} from '../../helpers/fake-cloudformation.js'
import {RecordingActivity} from '../../helpers/recording-activity.js'

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/chat-v1/0a1b2c3d-1111-2222-3333-444455556666'

function event(id: string, second: number, logicalId: string, type: string, status: string, reason?: string): StackEvent {
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
const OLD = event('old-1', 0, 'chat-v1', 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE')
const UPDATE = [
  event('e1', 10, 'chat-v1', 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', 'User Initiated'),
  event('e2', 11, 'DefaultFunction', 'AWS::Lambda::Function', 'UPDATE_IN_PROGRESS'),
  event('e3', 12, 'ConnectFunction', 'AWS::Lambda::Function', 'UPDATE_IN_PROGRESS'),
  event('e4', 14, 'ConnectFunction', 'AWS::Lambda::Function', 'UPDATE_FAILED', 'Resource handler returned message: "Unzipped size must be smaller than 262144000 bytes"'),
  event('e5', 14, 'DefaultFunction', 'AWS::Lambda::Function', 'UPDATE_FAILED', 'Resource update cancelled'),
  event('e6', 15, 'chat-v1', 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [ConnectFunction].'),
  event('e7', 16, 'DefaultFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE'),
  event('e8', 17, 'chat-v1', 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_COMPLETE'),
]

describe('stack events', () => {
  const mocked = useCloudFormationMock()

  /** Serves `events` (oldest first) the way AWS does: newest first, `size` per page. */
  function serveEvents(events: () => StackEvent[], size = 3) {
    mocked.cfn.on(DescribeStackEventsCommand).callsFake((input: {NextToken?: string}) => {
      const newestFirst = [...events()].reverse()
      const start = Number(input.NextToken ?? 0)
      return {NextToken: start + size < newestFirst.length ? String(start + size) : undefined, StackEvents: newestFirst.slice(start, start + size)}
    })
  }

  it('the poller pages back to the marker and returns what is new, oldest first, once', async () => {
    let visible = [OLD, ...UPDATE.slice(0, 5)]
    serveEvents(() => visible)
    const poller = new StackEventPoller(mocked.session.cloudFormation, STACK_ID, {afterEventId: 'old-1'})
    assert.deepEqual((await poller.poll()).map((item) => item.eventId), ['e1', 'e2', 'e3', 'e4', 'e5'])
    // Two pages of three were needed to reach the marker.
    assert.deepEqual(mocked.cfn.commandCalls(DescribeStackEventsCommand).map((call) => call.args[0].input), [
      {NextToken: undefined, StackName: STACK_ID},
      {NextToken: '3', StackName: STACK_ID},
    ])
    visible = [OLD, ...UPDATE]
    assert.deepEqual((await poller.poll()).map((item) => item.eventId), ['e6', 'e7', 'e8'])
    assert.deepEqual(await poller.poll(), [])
    // Each poll reads only as many pages as it takes to reach an event it has seen: 2, 2, then 1.
    assert.equal(mocked.cfn.commandCalls(DescribeStackEventsCommand).length, 5)
  })

  it('events that arrive between two pages of one poll are not reported twice', async () => {
    let visible = [OLD, ...UPDATE.slice(0, 4)]
    let calls = 0
    mocked.cfn.on(DescribeStackEventsCommand).callsFake((input: {NextToken?: string}) => {
      // Offset tokens: two new events push the second page back by two.
      if (++calls === 2) visible = [OLD, ...UPDATE.slice(0, 6)]
      const newestFirst = [...visible].reverse()
      const start = Number(input.NextToken ?? 0)
      return {NextToken: start + 3 < newestFirst.length ? String(start + 3) : undefined, StackEvents: newestFirst.slice(start, start + 3)}
    })
    const poller = new StackEventPoller(mocked.session.cloudFormation, STACK_ID, {afterEventId: 'old-1'})
    const first = (await poller.poll()).map((item) => item.eventId)
    assert.equal(new Set(first).size, first.length, first.join(','))
    const second = (await poller.poll()).map((item) => item.eventId)
    assert.deepEqual([...first, ...second].sort(), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'])
  })

  it('without a marker, the poller keeps events since a time (joining an operation already running)', async () => {
    serveEvents(() => [OLD, ...UPDATE])
    const poller = new StackEventPoller(mocked.session.cloudFormation, STACK_ID, {since: new Date(Date.UTC(2026, 2, 1, 10, 0, 14))})
    assert.deepEqual((await poller.poll()).map((item) => item.eventId), ['e4', 'e5', 'e6', 'e7', 'e8'])
  })

  it('the monitor reports progress and the root cause, skipping the cancelled neighbour', async () => {
    serveEvents(() => [OLD, ...UPDATE])
    const listener = new RecordingActivity()
    const monitor = new StackActivityMonitor({afterEventId: 'old-1', cloudFormation: mocked.session.cloudFormation, listener, operation: 'UPDATE', pollIntervalMs: 1, stackId: STACK_ID, stackName: 'chat-v1', total: 2})
    monitor.start()
    await monitor.stop()
    assert.deepEqual(listener.starts, [{operation: 'UPDATE', stackName: 'chat-v1', total: 2}])
    assert.deepEqual(listener.activities.map((activity) => activity.done), [0, 0, 0, 1, 2, 2, 2, 2])
    assert.deepEqual(monitor.rootCause().map((item) => [item.logicalId, item.reason]), [['ConnectFunction', 'Resource handler returned message: "Unzipped size must be smaller than 262144000 bytes"']])
    assert.equal(listener.stops[0].done, 2)
  })

  it('stop() polls to the end, so the reason that ended the operation is shown even between ticks', async () => {
    let visible = [OLD, UPDATE[0]]
    serveEvents(() => visible)
    const listener = new RecordingActivity()
    const monitor = new StackActivityMonitor({afterEventId: 'old-1', cloudFormation: mocked.session.cloudFormation, listener, operation: 'UPDATE', pollIntervalMs: 60_000, stackId: STACK_ID, stackName: 'chat-v1', total: 2})
    monitor.start()
    visible = [OLD, ...UPDATE]
    await monitor.stop()
    assert.deepEqual(listener.lines(), UPDATE.map((item) => `${item.LogicalResourceId} ${item.ResourceStatus}`))
    assert.equal(monitor.failures.length, 1)
  })

  it('a throttled poll backs off instead of failing the monitor', async () => {
    let calls = 0
    mocked.cfn.on(DescribeStackEventsCommand).callsFake(() => {
      calls++
      if (calls <= 2) throw new SimError('Throttling', 'Rate exceeded')
      return {StackEvents: [...UPDATE].reverse()}
    })
    const listener = new RecordingActivity()
    const monitor = new StackActivityMonitor({cloudFormation: mocked.session.cloudFormation, listener, operation: 'UPDATE', pollIntervalMs: 1, stackId: STACK_ID, stackName: 'chat-v1', total: 2})
    monitor.start()
    // Until the events are through, however long a busy machine takes (the test's timeout is the limit).
    while (listener.activities.length < UPDATE.length) await new Promise((resolve) => setTimeout(resolve, 5))
    await monitor.stop()
    assert.ok(calls >= 3)
    assert.equal(listener.activities.length, UPDATE.length)
  })

  it('pollUntil: throttling backs off and goes on; it gives up after too many in a row; other errors stop at once', async () => {
    const delays: number[] = []
    let last = Date.now()
    let calls = 0
    const value = await pollUntil(
      async () => {
        const now = Date.now()
        delays.push(now - last)
        last = now
        if (++calls <= 3) throw new AwsCallError('throttled', {awsCode: 'Throttling', cause: undefined, code: 'THROTTLED', kind: 'throttled', operation: 'DescribeStacks'})
        return calls
      },
      (count) => count >= 5,
      {pollIntervalMs: 5},
    )
    assert.equal(value, 5)
    // Each throttled read doubled the wait (5 → 10 → 20 → 40 ms), then it went back to 5. Only lower bounds:
    // a busy machine lengthens any wait.
    assert.ok(delays[2] >= 15, delays.join(','))
    assert.ok(delays[3] >= 35, delays.join(','))

    mocked.cfn.on(DescribeStacksCommand).rejects(new SimError('Throttling', 'Rate exceeded'))
    await assert.rejects(waitForStack(mocked.session.cloudFormation, STACK_ID, {maxThrottled: 2, pollIntervalMs: 1}), (error: Error & {code: string}) => error.code === 'THROTTLED')
    assert.equal(mocked.cfn.commandCalls(DescribeStacksCommand).length, 3)

    mocked.cfn.on(DescribeStacksCommand).rejects(new SimError('AccessDenied', 'User: x is not authorized to perform: cloudformation:DescribeStacks', 403))
    await assert.rejects(waitForStack(mocked.session.cloudFormation, STACK_ID, {pollIntervalMs: 1}), (error: Error & {code: string}) => error.code === 'ACCESS_DENIED')
    assert.equal(mocked.cfn.commandCalls(DescribeStacksCommand).length, 4)
  })

  it('waitForStack does not take the old status, shown right after ExecuteChangeSet, for the end', async () => {
    const stack = (status: string, lastUpdated?: number) => ({
      Stacks: [{CreationTime: new Date(0), LastUpdatedTime: lastUpdated ? new Date(lastUpdated) : undefined, StackId: STACK_ID, StackName: 'chat-v1', StackStatus: status as never}],
    })
    mocked.cfn
      .on(DescribeStacksCommand)
      .resolvesOnce(stack('UPDATE_COMPLETE', 1000))
      // Stale: the update has not shown up yet.
      .resolvesOnce(stack('UPDATE_COMPLETE', 1000))
      .resolvesOnce(stack('UPDATE_IN_PROGRESS', 5000))
      .resolves(stack('UPDATE_COMPLETE', 5000))
    const before = (await mocked.session.cloudFormation.describeStack(STACK_ID))!
    const final = await waitForStack(mocked.session.cloudFormation, STACK_ID, {before, pollIntervalMs: 1})
    assert.equal(final!.lastUpdatedTime!.getTime(), 5000)
    assert.equal(mocked.cfn.commandCalls(DescribeStacksCommand).length, 4)
  })
})
