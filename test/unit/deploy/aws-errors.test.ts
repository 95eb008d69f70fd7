import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {
  CreateChangeSetCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation'
import {HeadBucketCommand, PutObjectCommand, S3Client} from '@aws-sdk/client-s3'
import {mockClient} from 'aws-sdk-client-mock'

import {type DeployProjectOptions, deployProject} from '../../../src/lib/deploy/index.js'
import type {WsapiError} from '../../../src/lib/errors.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {TEST_AWS, useMockedAws} from '../../helpers/aws-mocks.js'
import {SimError} from '../../helpers/fake-cloudformation.js'
import {scaffoldProject} from '../../helpers/project.js'

describe('deploy when AWS says no', function () {
  this.timeout(60_000)
  const fake = useMockedAws({buckets: ['own-bucket']})

  const deploy = (dir: string, options: Partial<DeployProjectOptions> = {}) =>
    deployProject({aws: TEST_AWS, dir, output: new RecordingOutput(), pollIntervalMs: 1, ...options})

  it('expired credentials: one line, and nothing built, uploaded or changed', async () => {
    const dir = scaffoldProject()
    fake.aws.sim.inject(
      'GetCallerIdentity',
      () => new SimError('ExpiredToken', 'The security token included in the request is expired', 403),
    )
    const puts = fake.s3.puts.length
    await assert.rejects(deploy(dir), (error: WsapiError) => {
      assert.equal(error.code, 'EXPIRED_CREDENTIALS')
      assert.equal(error.exit, 1)
      assert.equal(
        error.message,
        'Your AWS credentials have expired (ExpiredToken): refresh them (`aws sso login`, or new temporary keys), then re-run.',
      )
      return true
    })
    assert.equal(fake.aws.cfn.commandCalls(CreateChangeSetCommand).length, 0)
    assert.equal(fake.s3.puts.length, puts)
    assert.equal(existsSync(join(dir, '.wsapi/build')), false)
  })

  it('access denied: says which call and what AWS denied; a re-run with the permission works', async () => {
    const dir = scaffoldProject()
    const denied =
      'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:CreateChangeSet on resource: arn:aws:cloudformation:eu-west-1:123456789012:stack/chat-v1/*'
    fake.aws.sim.inject('CreateChangeSet', () => new SimError('AccessDenied', denied, 403))
    await assert.rejects(deploy(dir), (error: WsapiError) => {
      assert.equal(error.code, 'ACCESS_DENIED')
      assert.equal(
        error.message,
        `Access denied to CloudFormation CreateChangeSet: ${denied}. Ask for that permission, or use another profile (--profile / AWS_PROFILE).`,
      )
      return true
    })
    // The bootstrap stack was the one denied; nothing half-made is in the way of the next run.
    assert.equal(fake.aws.sim.stacks.length, 0)
    const again = await deploy(dir)
    assert.equal(again.type, 'deployed')
  })

  it('throttling while waiting and while reading events is retried with backoff; the deploy succeeds', async () => {
    const dir = scaffoldProject()
    // Single calls are retried by the SDK (adaptive mode, 8 attempts); the polls of a running operation
    // also back off themselves. Throttle those, once the project's change set runs.
    fake.aws.cfn.on(ExecuteChangeSetCommand).callsFake(async (input) => {
      const result = await fake.aws.sim.handle('ExecuteChangeSet', input)
      fake.aws.sim.inject('DescribeStacks', () => new SimError('Throttling', 'Rate exceeded'), 3)
      fake.aws.sim.inject('DescribeStackEvents', () => new SimError('Throttling', 'Rate exceeded'), 2)
      return result
    })
    const result = await deploy(dir)
    assert.equal(result.type, 'deployed')
    const throttledAt = fake.aws.sim.calls.findIndex((call) => call.action === 'ExecuteChangeSet')
    const later = fake.aws.sim.calls.slice(throttledAt + 1)
    assert.ok(
      later.filter((call) => call.action === 'DescribeStacks').length > 3,
      'DescribeStacks was called again after the throttled calls',
    )
    assert.ok(later.filter((call) => call.action === 'DescribeStackEvents').length > 2, 'and DescribeStackEvents too')
    assert.equal(fake.aws.sim.stack('chat-v1')!.status, 'CREATE_COMPLETE')
  })

  it('an error after the change set started says the operation goes on and how to follow it', async () => {
    const dir = scaffoldProject({}, join(scaffoldProject(), '..', 'other'))
    const result = await deploy(dir, {s3Bucket: 'own-bucket'})
    assert.equal(result.type, 'deployed')
    const handler = join(dir, 'src/handlers/default.ts')
    const {readFileSync, writeFileSync} = await import('node:fs')
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const v = 3\n`)
    let executed = false
    fake.aws.cfn.on(DescribeStacksCommand).callsFake(async (input) => {
      if (executed) throw new SimError('ExpiredToken', 'The security token included in the request is expired', 403)
      return fake.aws.sim.handle('DescribeStacks', input)
    })
    fake.aws.cfn.on(DescribeStackEventsCommand).callsFake(async (input) => {
      if (fake.aws.sim.callsOf('ExecuteChangeSet').length === 2) executed = true
      return fake.aws.sim.handle('DescribeStackEvents', input)
    })
    await assert.rejects(deploy(dir, {s3Bucket: 'own-bucket'}), (error: WsapiError) => {
      assert.equal(error.code, 'EXPIRED_CREDENTIALS')
      assert.match(
        error.message,
        /^Your AWS credentials have expired \(ExpiredToken\): .*then re-run\. The update of chat-v1 goes on in CloudFormation: follow it with `wsapi status`\.$/,
      )
      return true
    })
  })

  it('a change set CloudFormation refuses: its reason, and the empty REVIEW_IN_PROGRESS stack is removed', async () => {
    const dir = scaffoldProject()
    fake.aws.sim.changeSetFailure = undefined
    const reason =
      'Template format error: Unresolved resource dependencies [MissingRole] in the Resources block of the template'
    // Let the bootstrap stack through; fail the project's change set.
    const original = fake.aws.sim.handle.bind(fake.aws.sim)
    fake.aws.cfn.on(CreateChangeSetCommand).callsFake(async (input) => {
      if (input.StackName === 'chat-v1') fake.aws.sim.changeSetFailure = reason
      return original('CreateChangeSet', input)
    })
    await assert.rejects(deploy(dir), (error: WsapiError) => {
      assert.equal(error.code, 'CHANGE_SET_FAILED')
      assert.equal(error.message, `CloudFormation could not create a change set for chat-v1: ${reason}`)
      return true
    })
    const review = fake.aws.sim.stacks.find((stack) => stack.stackName === 'chat-v1')!
    assert.deepEqual(
      fake.aws.cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input.StackName),
      [review.stackId],
    )
  })

  it('a --s3-bucket in another region: one line, nothing uploaded or deployed', async () => {
    const dir = scaffoldProject()
    const mock = mockClient(S3Client)
    mock.on(HeadBucketCommand).resolves({BucketRegion: 'us-west-2'})
    try {
      await assert.rejects(deploy(dir, {s3Bucket: 'my-us-bucket'}), (error: WsapiError) => {
        assert.equal(error.code, 'BUCKET_REGION')
        assert.equal(
          error.message,
          "Bucket my-us-bucket is in us-west-2, but the stack deploys to eu-west-1: Lambda reads code only from its own region, so pass --region us-west-2 or a bucket in eu-west-1 (or leave --s3-bucket out to use wsapi's managed bucket).",
        )
        return true
      })
      assert.equal(mock.commandCalls(PutObjectCommand).length, 0)
      assert.equal(fake.aws.cfn.commandCalls(CreateChangeSetCommand).length, 0)
    } finally {
      mock.restore()
    }
  })
})
