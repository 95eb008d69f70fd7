import assert from 'node:assert/strict'

import {type AwsSession, createAwsSession} from '../../../src/lib/aws/index.js'
import {
  type ChangeSetPlan,
  deployStack,
  type DeployStackOptions,
  type StackContext,
} from '../../../src/lib/deploy/deploy-stack.js'
import {WsapiError} from '../../../src/lib/errors.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {type MockedCloudFormation, mockCloudFormation, TEST_AWS} from '../../helpers/aws-mocks.js'
import {RecordingActivity} from '../../helpers/recording-activity.js'

const TEMPLATE = JSON.stringify({
  Resources: {
    Queue: {Properties: {QueueName: 'chat-v1-queue'}, Type: 'AWS::SQS::Queue'},
    Topic: {Properties: {TopicName: 'chat-v1-topic'}, Type: 'AWS::SNS::Topic'},
  },
})

describe('deploy: deployStack against the CloudFormation simulator', () => {
  let mocked: MockedCloudFormation
  let session: AwsSession
  let output: RecordingOutput
  let listener: RecordingActivity
  let plans: ChangeSetPlan[]

  beforeEach(async () => {
    mocked = mockCloudFormation()
    session = await createAwsSession(TEST_AWS)
    output = new RecordingOutput()
    listener = new RecordingActivity()
    plans = []
  })
  afterEach(() => {
    session.destroy()
    mocked.restore()
  })

  const context = (extra: Partial<StackContext> = {}): StackContext => ({
    cloudFormation: session.cloudFormation,
    listener,
    output,
    pollIntervalMs: 1,
    ...extra,
  })
  const options = (extra: Partial<DeployStackOptions> = {}): DeployStackOptions => ({
    onChangeSet: (plan) => plans.push(plan),
    parameters: () => [],
    stackName: 'chat-v1',
    template: {body: TEMPLATE},
    ...extra,
  })

  it('creates a new stack with a CREATE change set, streaming its events, then reports nothing to do on a re-run', async () => {
    const created = await deployStack(context(), options())
    assert.equal(created.type, 'deployed')
    assert.ok(created.type === 'deployed')
    assert.deepEqual([created.operation, created.noOp, created.stack.status], ['CREATE', false, 'CREATE_COMPLETE'])
    assert.deepEqual(plans[0].changes.map((change) => [change.action, change.logicalId]).sort(), [
      ['Add', 'Queue'],
      ['Add', 'Topic'],
    ])
    assert.deepEqual(listener.starts, [{operation: 'CREATE', stackName: 'chat-v1', total: 2}])
    assert.equal(listener.stops.at(-1)?.done, 2)
    assert.match(output.text('info'), /Creating a change set for chat-v1 \(new stack\)…/)

    const again = await deployStack(context(), options())
    assert.ok(again.type === 'deployed')
    assert.deepEqual([again.operation, again.noOp, again.changes], ['NONE', true, []])
    assert.equal(mocked.sim.callsOf('DeleteChangeSet').length, 1, 'the empty change set is removed')
    assert.equal(mocked.sim.callsOf('ExecuteChangeSet').length, 1)
  })

  it('an update passes the existing stack to the parameters; --no-execute leaves the change set in review', async () => {
    await deployStack(context(), options())
    const seen: Array<string | undefined> = []
    const changed = JSON.stringify({
      Resources: {
        Queue: {Properties: {QueueName: 'chat-v1-queue-2'}, Type: 'AWS::SQS::Queue'},
        Topic: JSON.parse(TEMPLATE).Resources.Topic,
      },
    })
    const review = await deployStack(
      context(),
      options({execute: false, parameters: (existing) => (seen.push(existing?.status), []), template: {body: changed}}),
    )
    assert.deepEqual(seen, ['CREATE_COMPLETE'])
    assert.ok(review.type === 'review')
    assert.equal(review.plan.operation, 'UPDATE')
    assert.equal(mocked.sim.callsOf('ExecuteChangeSet').length, 1, 'only the create ran')
    assert.equal(mocked.sim.stack('chat-v1')?.status, 'CREATE_COMPLETE')
  })

  it('declined: the change set and the stack it created are removed', async () => {
    const declined = await deployStack(context(), options({confirm: async () => false}))
    assert.ok(declined.type === 'declined')
    assert.deepEqual(
      mocked.sim.callsOf('DeleteStack').map((input) => input.StackName),
      [declined.plan.stackId],
    )
    assert.equal(mocked.sim.callsOf('DeleteChangeSet').length, 1)
    assert.equal(mocked.sim.callsOf('ExecuteChangeSet').length, 0)
  })

  it('a resource that fails: the result names its reason, and the next deploy replaces the empty stack, saying so', async () => {
    mocked.sim.failOnApply.set('Queue', 'Resource handler returned message: "Queue name taken"')
    const failed = await deployStack(context(), options())
    assert.ok(failed.type === 'failed')
    assert.equal(failed.operation, 'CREATE')
    assert.deepEqual(
      failed.rootCause.map((event) => [event.logicalId, event.reason]),
      [['Queue', 'Resource handler returned message: "Queue name taken"']],
    )
    assert.equal(mocked.sim.stack('chat-v1')?.status, 'ROLLBACK_COMPLETE')

    mocked.sim.failOnApply.clear()
    let waited = 0
    const retried = await deployStack(context(), options({afterWait: async () => void waited++}))
    assert.ok(retried.type === 'deployed')
    assert.equal(retried.operation, 'CREATE')
    assert.equal(waited, 1, 'told that it had to clean up first')
    assert.match(
      output.text('warn'),
      /^Stack chat-v1 is ROLLBACK_COMPLETE: its first create failed, so it holds no resources and cannot be updated\. Deleting it, then creating it again\.$/,
    )
  })

  it('a change set CloudFormation refuses is an error with its reason, and leaves no REVIEW_IN_PROGRESS stack', async () => {
    mocked.sim.changeSetFailure =
      'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template'
    await assert.rejects(
      deployStack(context(), options()),
      (error: unknown) =>
        error instanceof WsapiError &&
        error.code === 'CHANGE_SET_FAILED' &&
        error.message ===
          'CloudFormation could not create a change set for chat-v1: Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template',
    )
    const [review] = mocked.sim.stacks
    assert.deepEqual(
      mocked.sim.callsOf('DeleteStack').map((input) => input.StackName),
      [review.stackId],
    )
  })

  it("a stack busy with someone else's operation: waited for, or with wait: false an error saying what to do", async () => {
    await deployStack(context(), options())
    mocked.sim.startForeignUpdate('chat-v1')
    await assert.rejects(
      deployStack(context({wait: false}), options()),
      (error: unknown) =>
        error instanceof WsapiError &&
        error.code === 'STACK_BUSY' &&
        /^Stack chat-v1 is busy \(UPDATE_IN_PROGRESS\): wait for that operation to finish/.test(error.message),
    )
    const afterWait = await deployStack(context(), options())
    assert.ok(afterWait.type === 'deployed')
    assert.match(
      output.text('info'),
      /Stack chat-v1 is UPDATE_IN_PROGRESS: waiting for that operation to finish \(--no-wait stops instead\)…/,
    )
    assert.ok(listener.starts.some((start) => start.operation === 'WAIT'))
  })
})
