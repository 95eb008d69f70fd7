import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {DeleteStackCommand, ListStackResourcesCommand} from '@aws-sdk/client-cloudformation'

import {
  deployProject,
  type DestroyPlan,
  type DestroyProjectOptions,
  type DestroyProjectResult,
  destroyProject,
} from '../../../src/lib/deploy/index.js'
import type {WsapiError} from '../../../src/lib/errors.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {TEST_AWS, useMockedAws} from '../../helpers/aws-mocks.js'
import {scaffoldProject} from '../../helpers/project.js'
import {RecordingActivity} from '../../helpers/recording-activity.js'

describe('destroyProject (CloudFormation mocked, S3 real on s3rver)', function () {
  this.timeout(60_000)
  const fake = useMockedAws()

  async function deployed(dir: string) {
    const result = await deployProject({aws: TEST_AWS, dir, pollIntervalMs: 1})
    assert.equal(result.type, 'deployed')
    return result as Extract<Awaited<ReturnType<typeof deployProject>>, {type: 'deployed'}>
  }

  async function destroy(dir: string, options: Partial<DestroyProjectOptions> = {}) {
    const output = new RecordingOutput()
    const listener = new RecordingActivity()
    const result = await destroyProject({aws: TEST_AWS, dir, listener, output, pollIntervalMs: 1, ...options})
    return {listener, output, result}
  }

  it('asks, deletes the stack streaming its events to DELETE_COMPLETE, removes its artifacts and saved outputs', async () => {
    const dir = scaffoldProject()
    const deploy = await deployed(dir)
    const plans: DestroyPlan[] = []
    const {listener, result} = await destroy(dir, {
      async confirm(plan) {
        plans.push(plan)
        return true
      },
    })
    assert.equal(result.type, 'destroyed')
    assert.equal(plans.length, 1)
    assert.equal(plans[0].stackName, 'chat-v1')
    assert.equal(plans[0].account, '123456789012')
    assert.equal(plans[0].resources, deploy.changes.length)
    assert.equal(plans[0].tables.length, 1)
    assert.match(plans[0].tables[0], /^chat-v1-ConnectionsTable-/)

    // By stack id, so that the final DELETE_COMPLETE is still readable.
    assert.deepEqual(
      fake.aws.cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input.StackName),
      [deploy.stackId],
    )
    assert.match(fake.aws.cfn.commandCalls(DeleteStackCommand)[0].args[0].input.ClientRequestToken!, /^wsapi-delete-/)
    assert.deepEqual(listener.starts, [{operation: 'DELETE', stackName: 'chat-v1', total: deploy.changes.length}])
    assert.deepEqual(listener.lines().at(-1), 'chat-v1 DELETE_COMPLETE')
    assert.equal(listener.stops[0].done, deploy.changes.length)
    assert.equal(fake.aws.sim.stack('chat-v1'), undefined)

    assert.equal((result as Extract<DestroyProjectResult, {type: 'destroyed'}>).artifactsRemoved, 5)
    for (const artifact of deploy.artifacts.uploaded)
      assert.equal(await fake.s3.objectExists(deploy.artifacts.bucket, artifact.key), false)
    assert.equal(existsSync(join(dir, '.wsapi/outputs/v1.json')), false)
  })

  it('a stack that does not exist is nothing to destroy, without asking', async () => {
    const dir = scaffoldProject()
    const {result} = await destroy(dir, {confirm: async () => assert.fail('must not ask')})
    assert.equal(result.type, 'nothing')
    assert.equal(fake.aws.cfn.commandCalls(DeleteStackCommand).length, 0)
  })

  it('refuses a stack of the same name that wsapi did not deploy for this project and stage; --adopt deletes it', async () => {
    const dir = scaffoldProject()
    fake.aws.sim.seedStack('chat-v1', 'CREATE_COMPLETE', {
      template: {Resources: {OrdersTable: {Properties: {}, Type: 'AWS::DynamoDB::Table'}}},
    })
    await assert.rejects(destroy(dir, {confirm: async () => assert.fail('must not ask')}), (error: WsapiError) => {
      assert.equal(error.exit, 1)
      assert.equal(
        error.message,
        "Stack chat-v1 was not deployed by wsapi for project chat, stage v1 (it has no wsapi:project / wsapi:stage tags): nothing was deleted. Pass another --stage, or --adopt if it is this project's stack and may be deleted with everything in it.",
      )
      return true
    })
    assert.equal(fake.aws.cfn.commandCalls(DeleteStackCommand).length, 0)
    assert.equal(fake.aws.sim.stack('chat-v1')!.status, 'CREATE_COMPLETE')

    // Another project's stage whose stack name happens to be the same is not this one either.
    fake.aws.sim.stack('chat-v1')!.tags = [
      {Key: 'wsapi:project', Value: 'chat-v1'},
      {Key: 'wsapi:stage', Value: 'x'},
    ]
    await assert.rejects(destroy(dir), /tagged wsapi:project="chat-v1" wsapi:stage="x"\): nothing was deleted/)

    const {result} = await destroy(dir, {adopt: true})
    assert.equal(result.type, 'destroyed')
    assert.equal(fake.aws.sim.stack('chat-v1'), undefined)
  })

  it('not confirmed: nothing is deleted', async () => {
    const dir = scaffoldProject()
    await deployed(dir)
    const {result} = await destroy(dir, {confirm: async () => false})
    assert.equal(result.type, 'declined')
    assert.equal(fake.aws.cfn.commandCalls(DeleteStackCommand).length, 0)
    assert.equal(fake.aws.sim.stack('chat-v1')!.status, 'CREATE_COMPLETE')
  })

  it('DELETE_FAILED: names each blocking resource, its reason and the fix; --retain then finishes the job', async () => {
    const dir = scaffoldProject()
    await deployed(dir)
    const reason =
      'Resource handler returned message: "Table chat-v1-ConnectionsTable is being used by a replica" (HandlerErrorCode: ResourceConflict)'
    fake.aws.sim.failOnDelete.set('ConnectionsTable', reason)
    const {listener, result} = await destroy(dir)
    assert.equal(result.type, 'failed')
    const failed = result as Extract<DestroyProjectResult, {type: 'failed'}>
    assert.equal(failed.status, 'DELETE_FAILED')
    assert.equal(failed.resources.length, 1)
    assert.equal(failed.resources[0].logicalId, 'ConnectionsTable')
    assert.equal(failed.resources[0].resourceType, 'AWS::DynamoDB::Table')
    assert.equal(failed.resources[0].reason, reason)
    assert.equal(
      failed.resources[0].fix,
      'delete it by hand and run wsapi destroy again, or keep it: wsapi destroy --retain ConnectionsTable',
    )
    assert.equal(listener.lines().at(-1), 'chat-v1 DELETE_FAILED')
    assert.equal(existsSync(join(dir, '.wsapi/outputs/v1.json')), true, 'outputs stay while the stack does')

    // A typo in --retain is a usage error, before anything is deleted.
    await assert.rejects(destroy(dir, {retain: ['ConnectionTable']}), (error: WsapiError) => {
      assert.equal(error.exit, 2)
      assert.match(error.message, /^--retain ConnectionTable: no such resource in chat-v1; it has ConnectionsTable\.$/)
      return true
    })

    const retried = await destroy(dir, {retain: ['ConnectionsTable']})
    assert.equal(retried.result.type, 'destroyed')
    assert.deepEqual(fake.aws.cfn.commandCalls(DeleteStackCommand).at(-1)!.args[0].input.RetainResources, [
      'ConnectionsTable',
    ])
    assert.deepEqual((retried.result as Extract<DestroyProjectResult, {type: 'destroyed'}>).retained, [
      'ConnectionsTable',
    ])
  })

  it('a non-empty bucket that will not delete gets the command that empties it', async () => {
    const {fixFor} = await import('../../../src/lib/deploy/index.js')
    assert.match(
      fixFor({
        logicalId: 'Assets',
        physicalId: 'chat-v1-assets-1a2b',
        reason: 'The bucket you tried to delete is not empty',
        resourceType: 'AWS::S3::Bucket',
        status: 'DELETE_FAILED',
      }),
      /^empty the bucket \(`aws s3 rm s3:\/\/chat-v1-assets-1a2b --recursive`/,
    )
  })

  it('removes a stack left in REVIEW_IN_PROGRESS by a change set never executed', async () => {
    const dir = scaffoldProject()
    const review = await deployProject({aws: TEST_AWS, dir, execute: false, pollIntervalMs: 1})
    assert.equal(review.type, 'review')
    const stackId = fake.aws.sim.stack('chat-v1')!.stackId
    assert.equal(fake.aws.sim.stack('chat-v1')!.status, 'REVIEW_IN_PROGRESS')
    const {listener, result} = await destroy(dir)
    assert.equal(result.type, 'destroyed')
    assert.deepEqual(
      fake.aws.cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input.StackName),
      [stackId],
    )
    // A stack in review has no resources to list.
    assert.equal(fake.aws.cfn.commandCalls(ListStackResourcesCommand).length, 0)
    assert.deepEqual(listener.lines(), ['chat-v1 DELETE_IN_PROGRESS', 'chat-v1 DELETE_COMPLETE'])
    assert.equal(fake.aws.sim.stack('chat-v1'), undefined)
  })

  it('waits for a running operation before deleting', async () => {
    const dir = scaffoldProject()
    await deployed(dir)
    fake.aws.sim.startForeignUpdate('chat-v1')
    const {listener, output, result} = await destroy(dir)
    assert.equal(result.type, 'destroyed')
    assert.match(output.text(), /chat-v1 is UPDATE_IN_PROGRESS: waiting for that operation to finish/)
    assert.deepEqual(
      listener.starts.map((start) => start.operation),
      ['WAIT', 'DELETE'],
    )
  })
})
