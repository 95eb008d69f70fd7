import assert from 'node:assert/strict'

import {DescribeStacksCommand} from '@aws-sdk/client-cloudformation'

import {AwsCallError} from '../../../src/lib/aws/index.js'
import {pollUntil, waitForStack} from '../../../src/lib/deploy/wait.js'
import {useCloudFormationMock} from '../../helpers/aws-mocks.js'
import {SimError} from '../../helpers/fake-cloudformation.js'
import {STACK_ID} from '../../helpers/stack-events.js'

describe('deploy: waiting for a stack', () => {
  const mocked = useCloudFormationMock()

  it('pollUntil: throttling backs off and goes on; it gives up after too many in a row; other errors stop at once', async () => {
    const delays: number[] = []
    let last = Date.now()
    let calls = 0
    const value = await pollUntil(
      async () => {
        const now = Date.now()
        delays.push(now - last)
        last = now
        if (++calls <= 3)
          throw new AwsCallError('throttled', {
            awsCode: 'Throttling',
            cause: undefined,
            code: 'THROTTLED',
            kind: 'throttled',
            operation: 'DescribeStacks',
          })
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
    await assert.rejects(
      waitForStack(mocked.session.cloudFormation, STACK_ID, {maxThrottled: 2, pollIntervalMs: 1}),
      (error: Error & {code: string}) => error.code === 'THROTTLED',
    )
    assert.equal(mocked.cfn.commandCalls(DescribeStacksCommand).length, 3)

    mocked.cfn
      .on(DescribeStacksCommand)
      .rejects(new SimError('AccessDenied', 'User: x is not authorized to perform: cloudformation:DescribeStacks', 403))
    await assert.rejects(
      waitForStack(mocked.session.cloudFormation, STACK_ID, {pollIntervalMs: 1}),
      (error: Error & {code: string}) => error.code === 'ACCESS_DENIED',
    )
    assert.equal(mocked.cfn.commandCalls(DescribeStacksCommand).length, 4)
  })

  it('waitForStack does not take the old status, shown right after ExecuteChangeSet, for the end', async () => {
    const stack = (status: string, lastUpdated?: number) => ({
      Stacks: [
        {
          CreationTime: new Date(0),
          LastUpdatedTime: lastUpdated ? new Date(lastUpdated) : undefined,
          StackId: STACK_ID,
          StackName: 'chat-v1',
          StackStatus: status as never,
        },
      ],
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

  it('a stack that is gone ends the wait (undefined); a change set counts as moved on once the stack reports it', async () => {
    mocked.cfn
      .on(DescribeStacksCommand)
      .rejects(new SimError('ValidationError', `Stack with id ${STACK_ID} does not exist`))
    assert.equal(await waitForStack(mocked.session.cloudFormation, STACK_ID, {pollIntervalMs: 1}), undefined)

    const stack = (changeSetId?: string) => ({
      Stacks: [
        {
          ChangeSetId: changeSetId,
          CreationTime: new Date(0),
          StackId: STACK_ID,
          StackName: 'chat-v1',
          StackStatus: 'UPDATE_COMPLETE' as never,
        },
      ],
    })
    mocked.cfn.reset()
    mocked.cfn.on(DescribeStacksCommand).resolvesOnce(stack('old')).resolvesOnce(stack('old')).resolves(stack('new'))
    const before = (await mocked.session.cloudFormation.describeStack(STACK_ID))!
    const final = await waitForStack(mocked.session.cloudFormation, STACK_ID, {
      before,
      changeSetId: 'new',
      pollIntervalMs: 1,
    })
    assert.equal(final!.changeSetId, 'new')
    assert.equal(mocked.cfn.commandCalls(DescribeStacksCommand).length, 3)
  })
})
