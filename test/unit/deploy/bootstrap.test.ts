import assert from 'node:assert/strict'

import {CreateChangeSetCommand, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {DeleteObjectsCommand, ListObjectsV2Command, ListObjectVersionsCommand, S3Client} from '@aws-sdk/client-s3'
import {mockClient} from 'aws-sdk-client-mock'

import {createAwsSession} from '../../../src/lib/aws/index.js'
import {
  ARTIFACT_RETENTION_DAYS,
  BOOTSTRAP_STACK,
  bootstrapTemplate,
  ensureArtifactBucket,
  purgeStackArtifacts,
  removeSuperseded,
} from '../../../src/lib/deploy/index.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {type MockedCloudFormation, mockCloudFormation, TEST_AWS} from '../../helpers/aws-mocks.js'
import {validateAgainstSpec} from '../../helpers/cfn-spec.js'
import {RecordingActivity} from '../../helpers/recording-activity.js'

describe('the managed artifact bucket', () => {
  let aws: MockedCloudFormation

  beforeEach(() => {
    aws = mockCloudFormation()
  })

  afterEach(() => aws.restore())

  it('is a valid template: encrypted, private, versioned, old artifacts expire, TLS only, kept if the stack goes', () => {
    const template = bootstrapTemplate()
    assert.deepEqual(validateAgainstSpec(template), [])
    const bucket = template.Resources.ArtifactBucket
    const properties = bucket.Properties as Record<string, any>
    assert.equal(bucket.DeletionPolicy, 'Retain')
    assert.equal(properties.BucketName, undefined, 'CloudFormation names it: a predictable name could be taken first')
    assert.equal(
      properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
      'AES256',
    )
    assert.deepEqual(properties.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    })
    assert.deepEqual(properties.OwnershipControls, {Rules: [{ObjectOwnership: 'BucketOwnerEnforced'}]})
    assert.deepEqual(properties.VersioningConfiguration, {Status: 'Enabled'})
    const [rule] = properties.LifecycleConfiguration.Rules
    assert.deepEqual(rule.NoncurrentVersionExpiration, {NoncurrentDays: ARTIFACT_RETENTION_DAYS})
    assert.equal(rule.ExpiredObjectDeleteMarker, true)
    assert.equal(rule.Status, 'Enabled')
    assert.equal(rule.ExpirationInDays, undefined, 'artifacts in use never expire: a rollback needs them')
    const statement = (template.Resources.ArtifactBucketPolicy.Properties as any).PolicyDocument.Statement[0]
    assert.deepEqual(
      [statement.Effect, statement.Action, statement.Condition],
      ['Deny', 's3:*', {Bool: {'aws:SecureTransport': 'false'}}],
    )
  })

  it('is created once through its own stack, then found with a single DescribeStacks', async () => {
    const session = await createAwsSession(TEST_AWS)
    const context = {
      cloudFormation: session.cloudFormation,
      listener: new RecordingActivity(),
      output: new RecordingOutput(),
      pollIntervalMs: 1,
    }
    try {
      const first = await ensureArtifactBucket(context)
      assert.equal(first.changed, true)
      assert.match(first.bucket, /^wsapi-bootstrap-artifactbucket-[0-9a-f]{12}$/)
      assert.match(
        context.output.text(),
        /Creating wsapi's artifact bucket for this account and region \(stack wsapi-bootstrap, once\)/,
      )
      const describesBefore = aws.cfn.commandCalls(DescribeStacksCommand).length
      const second = await ensureArtifactBucket(context)
      assert.deepEqual(second, {bucket: first.bucket, changed: false})
      assert.equal(aws.cfn.commandCalls(DescribeStacksCommand).length, describesBefore + 1)
      assert.equal(aws.cfn.commandCalls(CreateChangeSetCommand).length, 1)
    } finally {
      session.destroy()
    }
  })

  it('an older bootstrap stack is updated; a stack of that name not made by wsapi is left alone', async () => {
    const session = await createAwsSession(TEST_AWS)
    const context = {
      cloudFormation: session.cloudFormation,
      listener: new RecordingActivity(),
      output: new RecordingOutput(),
      pollIntervalMs: 1,
    }
    try {
      const old = bootstrapTemplate()
      old.Outputs!.Version.Value = '0'
      aws.sim.seedStack(BOOTSTRAP_STACK, 'CREATE_COMPLETE', {template: old})
      const updated = await ensureArtifactBucket(context)
      assert.equal(updated.changed, true)
      assert.equal(aws.cfn.commandCalls(CreateChangeSetCommand)[0].args[0].input.ChangeSetType, 'UPDATE')

      aws.restore()
      aws = mockCloudFormation()
      aws.sim.seedStack(BOOTSTRAP_STACK, 'CREATE_COMPLETE', {
        template: {Outputs: {Something: {Value: 'x'}}, Resources: {Topic: {Type: 'AWS::SNS::Topic'}}},
      })
      await assert.rejects(
        ensureArtifactBucket(context),
        /A stack named wsapi-bootstrap exists but was not made by wsapi: pass --s3-bucket/,
      )
      assert.equal(aws.cfn.commandCalls(CreateChangeSetCommand).length, 0)
    } finally {
      session.destroy()
    }
  })

  it('after a deploy, hides the superseded objects of the stack, but not those written since it started', async () => {
    const s3 = mockClient(S3Client)
    try {
      const started = new Date('2026-03-01T10:00:00Z')
      s3.on(ListObjectsV2Command).resolves({
        Contents: [
          {Key: 'chat-v1/in-use.zip', LastModified: new Date('2026-02-01T00:00:00Z')},
          {Key: 'chat-v1/old.zip', LastModified: new Date('2026-02-01T00:00:00Z')},
          {Key: 'chat-v1/old.template.json', LastModified: new Date('2026-02-20T00:00:00Z')},
          {Key: 'chat-v1/uploaded-by-a-waiting-deploy.zip', LastModified: new Date('2026-03-01T10:00:05Z')},
        ],
        IsTruncated: false,
      })
      s3.on(DeleteObjectsCommand).resolves({})
      const session = await createAwsSession(TEST_AWS)
      try {
        assert.deepEqual(await removeSuperseded(session.s3, 'artifacts', 'chat-v1', ['chat-v1/in-use.zip'], started), [
          'chat-v1/old.zip',
          'chat-v1/old.template.json',
        ])
      } finally {
        session.destroy()
      }

      assert.deepEqual(s3.commandCalls(ListObjectsV2Command)[0].args[0].input.Prefix, 'chat-v1/')
      assert.deepEqual(s3.commandCalls(DeleteObjectsCommand)[0].args[0].input.Delete, {
        Objects: [
          {Key: 'chat-v1/old.zip', VersionId: undefined},
          {Key: 'chat-v1/old.template.json', VersionId: undefined},
        ],
        Quiet: true,
      })
    } finally {
      s3.restore()
    }
  })

  it("destroy removes every version and delete marker of the stack's prefix, and nothing else", async () => {
    const s3 = mockClient(S3Client)
    try {
      s3.on(ListObjectsV2Command).resolves({Contents: [{Key: 'chat-v1/aaa.zip'}], IsTruncated: false})
      s3.on(ListObjectVersionsCommand)
        .resolvesOnce({
          DeleteMarkers: [{Key: 'chat-v1/aaa.zip', VersionId: 'm1'}],
          IsTruncated: true,
          NextKeyMarker: 'chat-v1/bbb.zip',
          NextVersionIdMarker: 'v2',
          Versions: [{Key: 'chat-v1/aaa.zip', VersionId: 'v1'}],
        })
        .resolvesOnce({IsTruncated: false, Versions: [{Key: 'chat-v1/bbb.zip', VersionId: 'v3'}]})
      s3.on(DeleteObjectsCommand).resolves({})
      const session = await createAwsSession(TEST_AWS)
      try {
        assert.equal(await purgeStackArtifacts(session.s3, 'artifacts', 'chat-v1'), 2)
      } finally {
        session.destroy()
      }

      assert.deepEqual(
        s3.commandCalls(ListObjectVersionsCommand).map((call) => call.args[0].input),
        [
          {Bucket: 'artifacts', KeyMarker: undefined, Prefix: 'chat-v1/', VersionIdMarker: undefined},
          {Bucket: 'artifacts', KeyMarker: 'chat-v1/bbb.zip', Prefix: 'chat-v1/', VersionIdMarker: 'v2'},
        ],
      )
      assert.deepEqual(
        s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete!.Objects),
        [
          [{Key: 'chat-v1/aaa.zip', VersionId: undefined}],
          [
            {Key: 'chat-v1/aaa.zip', VersionId: 'v1'},
            {Key: 'chat-v1/aaa.zip', VersionId: 'm1'},
            {Key: 'chat-v1/bbb.zip', VersionId: 'v3'},
          ],
        ],
      )
    } finally {
      s3.restore()
    }
  })
})
