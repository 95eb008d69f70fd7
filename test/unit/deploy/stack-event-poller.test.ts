import assert from 'node:assert/strict'

import {DescribeStackEventsCommand} from '@aws-sdk/client-cloudformation'

import {StackEventPoller} from '../../../src/lib/deploy/stack-event-poller.js'
import {useCloudFormationMock} from '../../helpers/aws-mocks.js'
import {OLD, serveEvents, STACK_ID, UPDATE} from '../../helpers/stack-events.js'

describe('deploy: StackEventPoller', () => {
  const mocked = useCloudFormationMock()

  it('the poller pages back to the marker and returns what is new, oldest first, once', async () => {
    let visible = [OLD, ...UPDATE.slice(0, 5)]
    serveEvents(mocked, () => visible)
    const poller = new StackEventPoller(mocked.session.cloudFormation, STACK_ID, {afterEventId: 'old-1'})
    assert.deepEqual(
      (await poller.poll()).map((item) => item.eventId),
      ['e1', 'e2', 'e3', 'e4', 'e5'],
    )
    // Two pages of three were needed to reach the marker.
    assert.deepEqual(
      mocked.cfn.commandCalls(DescribeStackEventsCommand).map((call) => call.args[0].input),
      [
        {NextToken: undefined, StackName: STACK_ID},
        {NextToken: '3', StackName: STACK_ID},
      ],
    )
    visible = [OLD, ...UPDATE]
    assert.deepEqual(
      (await poller.poll()).map((item) => item.eventId),
      ['e6', 'e7', 'e8'],
    )
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
      return {
        NextToken: start + 3 < newestFirst.length ? String(start + 3) : undefined,
        StackEvents: newestFirst.slice(start, start + 3),
      }
    })
    const poller = new StackEventPoller(mocked.session.cloudFormation, STACK_ID, {afterEventId: 'old-1'})
    const first = (await poller.poll()).map((item) => item.eventId)
    assert.equal(new Set(first).size, first.length, first.join(','))
    const second = (await poller.poll()).map((item) => item.eventId)
    assert.deepEqual([...first, ...second].sort(), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'])
  })

  it('without a marker, the poller keeps events since a time (joining an operation already running)', async () => {
    serveEvents(mocked, () => [OLD, ...UPDATE])
    const poller = new StackEventPoller(mocked.session.cloudFormation, STACK_ID, {
      since: new Date(Date.UTC(2026, 2, 1, 10, 0, 14)),
    })
    assert.deepEqual(
      (await poller.poll()).map((item) => item.eventId),
      ['e4', 'e5', 'e6', 'e7', 'e8'],
    )
  })

  it('newestEventId is the marker for the next operation: the newest event, or none for a stack without events', async () => {
    serveEvents(mocked, () => [OLD, ...UPDATE])
    assert.equal(await StackEventPoller.newestEventId(mocked.session.cloudFormation, STACK_ID), 'e8')
    serveEvents(mocked, () => [])
    assert.equal(await StackEventPoller.newestEventId(mocked.session.cloudFormation, STACK_ID), undefined)
  })
})
