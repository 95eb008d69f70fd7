import assert from 'node:assert/strict'

import {DescribeStackEventsCommand} from '@aws-sdk/client-cloudformation'

import {StackActivityMonitor} from '../../../src/lib/deploy/stack-activity-monitor.js'
import {useCloudFormationMock} from '../../helpers/aws-mocks.js'
import {SimError} from '../../helpers/fake-cloudformation.js'
import {RecordingActivity} from '../../helpers/recording-activity.js'
import {event, OLD, serveEvents, STACK_ID, UPDATE} from '../../helpers/stack-events.js'

describe('deploy: StackActivityMonitor', () => {
  const mocked = useCloudFormationMock()

  it('the monitor reports progress and the root cause, skipping the cancelled neighbour', async () => {
    serveEvents(mocked, () => [OLD, ...UPDATE])
    const listener = new RecordingActivity()
    const monitor = new StackActivityMonitor({
      afterEventId: 'old-1',
      cloudFormation: mocked.session.cloudFormation,
      listener,
      operation: 'UPDATE',
      pollIntervalMs: 1,
      stackId: STACK_ID,
      stackName: 'chat-v1',
      total: 2,
    })
    monitor.start()
    await monitor.stop()
    assert.deepEqual(listener.starts, [{operation: 'UPDATE', stackName: 'chat-v1', total: 2}])
    assert.deepEqual(
      listener.activities.map((activity) => activity.done),
      [0, 0, 0, 1, 2, 2, 2, 2],
    )
    assert.deepEqual(
      monitor.rootCause().map((item) => [item.logicalId, item.reason]),
      [['ConnectFunction', 'Resource handler returned message: "Unzipped size must be smaller than 262144000 bytes"']],
    )
    assert.equal(listener.stops[0].done, 2)
  })

  it('stop() polls to the end, so the reason that ended the operation is shown even between ticks', async () => {
    let visible = [OLD, UPDATE[0]]
    serveEvents(mocked, () => visible)
    const listener = new RecordingActivity()
    const monitor = new StackActivityMonitor({
      afterEventId: 'old-1',
      cloudFormation: mocked.session.cloudFormation,
      listener,
      operation: 'UPDATE',
      pollIntervalMs: 60_000,
      stackId: STACK_ID,
      stackName: 'chat-v1',
      total: 2,
    })
    monitor.start()
    visible = [OLD, ...UPDATE]
    await monitor.stop()
    assert.deepEqual(
      listener.lines(),
      UPDATE.map((item) => `${item.LogicalResourceId} ${item.ResourceStatus}`),
    )
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
    const monitor = new StackActivityMonitor({
      cloudFormation: mocked.session.cloudFormation,
      listener,
      operation: 'UPDATE',
      pollIntervalMs: 1,
      stackId: STACK_ID,
      stackName: 'chat-v1',
      total: 2,
    })
    monitor.start()
    // Until the events are through, however long a busy machine takes (the test's timeout is the limit).
    while (listener.activities.length < UPDATE.length) await new Promise((resolve) => setTimeout(resolve, 5))
    await monitor.stop()
    assert.ok(calls >= 3)
    assert.equal(listener.activities.length, UPDATE.length)
  })

  it('without a failed resource, the root cause is the stack\'s own reason (not "User Initiated"); none when it has none', async () => {
    const failedCreate = [
      event('c1', 20, 'chat-v1', 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 'User Initiated'),
      event(
        'c2',
        21,
        'chat-v1',
        'AWS::CloudFormation::Stack',
        'ROLLBACK_IN_PROGRESS',
        'The following hook(s) failed: [Guard]',
      ),
      event('c3', 22, 'chat-v1', 'AWS::CloudFormation::Stack', 'ROLLBACK_COMPLETE'),
    ]
    serveEvents(mocked, () => failedCreate)
    const monitor = new StackActivityMonitor({
      cloudFormation: mocked.session.cloudFormation,
      listener: new RecordingActivity(),
      operation: 'CREATE',
      pollIntervalMs: 60_000,
      stackId: STACK_ID,
      stackName: 'chat-v1',
      total: 0,
    })
    monitor.start()
    await monitor.stop()
    assert.deepEqual(
      monitor.rootCause().map((item) => item.reason),
      ['The following hook(s) failed: [Guard]'],
    )
    assert.equal(monitor.events.length, 3)

    serveEvents(mocked, () => [OLD])
    const quiet = new StackActivityMonitor({
      cloudFormation: mocked.session.cloudFormation,
      listener: new RecordingActivity(),
      operation: 'UPDATE',
      pollIntervalMs: 60_000,
      stackId: STACK_ID,
      stackName: 'chat-v1',
      total: 0,
    })
    quiet.start()
    await quiet.stop()
    assert.deepEqual(quiet.rootCause(), [])
  })

  it('progress counts each settled resource once and never the stack itself; at most the total when one is known', async () => {
    const events = [
      event('p1', 30, 'A', 'AWS::Lambda::Function', 'CREATE_COMPLETE'),
      event('p2', 31, 'A', 'AWS::Lambda::Function', 'UPDATE_COMPLETE'),
      event('p3', 32, 'B', 'AWS::Lambda::Function', 'CREATE_COMPLETE'),
      event('p4', 33, 'C', 'AWS::Lambda::Function', 'CREATE_COMPLETE'),
      event('p5', 34, 'chat-v1', 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE'),
    ]
    serveEvents(mocked, () => events)
    const progress = async (total: number) => {
      const listener = new RecordingActivity()
      const monitor = new StackActivityMonitor({
        cloudFormation: mocked.session.cloudFormation,
        listener,
        operation: 'CREATE',
        pollIntervalMs: 60_000,
        stackId: STACK_ID,
        stackName: 'chat-v1',
        total,
      })
      monitor.start()
      await monitor.stop()
      return [...listener.activities.map((activity) => activity.done), listener.stops[0].done]
    }

    assert.deepEqual(await progress(0), [1, 1, 2, 3, 3, 3], 'no total known: every resource settled')
    assert.deepEqual(await progress(2), [1, 1, 2, 2, 2, 2])
  })
})
