import assert from 'node:assert/strict'

import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {type StatusResult, deployProject, destroyProject, stackStatus} from '../../../src/lib/deploy/index.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {writeOutputsState} from '../../../src/lib/project/index.js'
import {TEST_AWS, useMockedAws} from '../../helpers/aws-mocks.js'
import {scaffoldProject} from '../../helpers/project.js'

describe('stackStatus', function () {
  this.timeout(60_000)
  const fake = useMockedAws()

  it('a stack not deployed is reported as such', async () => {
    const dir = scaffoldProject()
    assert.deepEqual(await stackStatus({aws: TEST_AWS, dir}), {
      deployed: false,
      deployedIn: undefined,
      region: 'eu-west-1',
      stackName: 'chat-v1',
      stage: 'v1',
    })
  })

  it('a stack this project deployed to another region: status, destroy and deploy say so', async () => {
    const dir = scaffoldProject()
    writeOutputsState(dir, {
      deployedAt: '2026-03-01T10:00:00Z',
      outputs: {WebSocketUrl: 'wss://abc.execute-api.us-east-1.amazonaws.com/v1'},
      region: 'us-east-1',
      stackName: 'chat-v1',
      stage: 'v1',
    })
    assert.deepEqual(await stackStatus({aws: TEST_AWS, dir}), {
      deployed: false,
      deployedIn: 'us-east-1',
      region: 'eu-west-1',
      stackName: 'chat-v1',
      stage: 'v1',
    })
    const destroyed = await destroyProject({aws: TEST_AWS, dir, pollIntervalMs: 1})
    assert.equal(destroyed.type, 'nothing')
    assert.equal((destroyed as {deployedIn?: string}).deployedIn, 'us-east-1')
    assert.ok(existsSync(join(dir, '.wsapi/outputs/v1.json')), 'the record of the other deploy stays')
    const output = new RecordingOutput()
    await deployProject({aws: TEST_AWS, dir, output, pollIntervalMs: 1})
    assert.match(
      output.text('warn'),
      /^chat-v1 was deployed to us-east-1 from here; this creates a second copy in eu-west-1\. Stop and pass --region us-east-1 if that is not what you want\.$/,
    )
  })

  it('status, last update, outputs (WebSocketUrl first) and resource counts of every page', async () => {
    const dir = scaffoldProject()
    const deploy = await deployProject({aws: TEST_AWS, dir, pollIntervalMs: 1})
    assert.equal(deploy.type, 'deployed')
    const status = (await stackStatus({aws: TEST_AWS, dir})) as Extract<StatusResult, {deployed: true}>
    assert.equal(status.status, 'CREATE_COMPLETE')
    assert.equal(status.inProgress, false)
    assert.equal(status.lastUpdatedAt, fake.aws.sim.stack('chat-v1')!.creationTime.toISOString())
    assert.equal(Object.keys(status.outputs)[0], 'WebSocketUrl')
    assert.equal(status.resources.total, fake.aws.sim.stack('chat-v1')!.resources.length)
    assert.ok(status.resources.total > 4, 'more than one page of 4')
    assert.deepEqual(status.resources.byStatus, {CREATE_COMPLETE: status.resources.total})
    assert.equal(status.resources.byType['AWS::Lambda::Function'], 5)
    assert.equal(status.resources.byType['AWS::DynamoDB::Table'], 1)
    assert.deepEqual(status.problems, [])
  })

  it('after a failed update, names what failed in the last operation', async () => {
    const dir = scaffoldProject()
    await deployProject({aws: TEST_AWS, dir, pollIntervalMs: 1})
    const {writeFileSync, readFileSync} = await import('node:fs')
    const handler = `${dir}/src/handlers/default.ts`
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const v = 2\n`)
    fake.aws.sim.failOnApply.set('DefaultFunction', 'Resource handler returned message: "Code storage limit exceeded."')
    const failed = await deployProject({aws: TEST_AWS, dir, pollIntervalMs: 1})
    assert.equal(failed.type, 'failed')
    const status = (await stackStatus({aws: TEST_AWS, dir})) as Extract<StatusResult, {deployed: true}>
    assert.equal(status.status, 'UPDATE_ROLLBACK_COMPLETE')
    assert.deepEqual(status.problems, [
      {
        logicalId: 'DefaultFunction',
        reason: 'Resource handler returned message: "Code storage limit exceeded."',
        resourceType: 'AWS::Lambda::Function',
        status: 'UPDATE_FAILED',
      },
    ])
  })
})
