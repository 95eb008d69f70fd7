import assert from 'node:assert/strict'

import {
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3'
import {type AwsClientStub, mockClient} from 'aws-sdk-client-mock'

import {type AwsSession, createAwsSession} from '../../../src/lib/aws/index.js'
import {
  type Artifact,
  purgeStackArtifacts,
  removeSuperseded,
  sha256,
  stackPrefix,
  uploadMissing,
} from '../../../src/lib/deploy/artifacts.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {TEST_AWS} from '../../helpers/aws-mocks.js'

const notFound = () =>
  new S3ServiceException({$fault: 'client', $metadata: {httpStatusCode: 404}, message: 'NotFound', name: 'NotFound'})

function artifact(key: string, data = key): Artifact {
  return {
    bytes: data.length,
    contentType: 'application/zip',
    key,
    label: key.split('/').at(-1)!,
    read: async () => Buffer.from(data),
  }
}

describe('deploy: artifacts in S3 (S3 mocked)', () => {
  let s3: AwsClientStub<S3Client>
  let session: AwsSession

  before(() => {
    s3 = mockClient(S3Client)
  })
  beforeEach(async () => {
    s3.reset()
    session = await createAwsSession(TEST_AWS)
  })
  afterEach(() => session.destroy())
  after(() => s3.restore())

  it("keys: content-addressed by SHA-256, under the stack's own prefix", () => {
    assert.equal(sha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    assert.equal(sha256(Buffer.from('abc')), sha256('abc'))
    assert.equal(stackPrefix('chat-v1'), 'chat-v1/')
  })

  it('uploads only what the bucket lacks, each key once', async () => {
    s3.on(HeadObjectCommand).callsFake((input: {Key: string}) => {
      if (input.Key === 'chat-v1/present.zip') return {}
      throw notFound()
    })
    s3.on(PutObjectCommand).resolves({})
    const output = new RecordingOutput()
    const report = await uploadMissing(
      session.s3,
      'assets',
      [
        artifact('chat-v1/present.zip'),
        artifact('chat-v1/new.zip'),
        artifact('chat-v1/new.zip'),
        artifact('chat-v1/other.zip'),
      ],
      {concurrency: 2, output},
    )
    assert.deepEqual(
      report.present.map((item) => item.key),
      ['chat-v1/present.zip'],
    )
    assert.deepEqual(report.uploaded.map((item) => item.key).sort(), ['chat-v1/new.zip', 'chat-v1/other.zip'])
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)
    assert.deepEqual(
      puts.map((input) => [input.Bucket, input.Key, Buffer.from(input.Body as Buffer).toString()]).sort(),
      [
        ['assets', 'chat-v1/new.zip', 'chat-v1/new.zip'],
        ['assets', 'chat-v1/other.zip', 'chat-v1/other.zip'],
      ],
    )
    assert.match(output.text('debug'), /s3:\/\/assets\/chat-v1\/present\.zip \(present\.zip\) is already there/)
    assert.match(output.text('debug'), /Uploaded new\.zip to s3:\/\/assets\/chat-v1\/new\.zip/)
    assert.deepEqual(await uploadMissing(session.s3, 'assets', []), {present: [], uploaded: []})
  })

  it('removeSuperseded hides what the new template no longer uses, not what a later deploy just wrote', async () => {
    const startedAt = new Date('2026-12-04T10:00:00Z')
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        {Key: 'chat-v1/keep.zip', LastModified: new Date('2026-12-01T00:00:00Z')},
        {Key: 'chat-v1/old.zip', LastModified: new Date('2026-12-01T00:00:00Z')},
        {Key: 'chat-v1/unknown-age.json'},
        {Key: 'chat-v1/newer.zip', LastModified: new Date('2026-12-04T10:00:05Z')},
      ],
    })
    s3.on(DeleteObjectsCommand).resolves({})
    assert.deepEqual(await removeSuperseded(session.s3, 'assets', 'chat-v1', ['chat-v1/keep.zip'], startedAt), [
      'chat-v1/old.zip',
      'chat-v1/unknown-age.json',
    ])
    assert.equal(s3.commandCalls(ListObjectsV2Command)[0].args[0].input.Prefix, 'chat-v1/')
    assert.deepEqual(s3.commandCalls(DeleteObjectsCommand)[0].args[0].input.Delete!.Objects, [
      {Key: 'chat-v1/old.zip', VersionId: undefined},
      {Key: 'chat-v1/unknown-age.json', VersionId: undefined},
    ])
  })

  it('purgeStackArtifacts removes the objects and every old version; without versioning, the objects are all there is', async () => {
    s3.on(ListObjectsV2Command).resolves({Contents: [{Key: 'chat-v1/a.zip'}, {Key: 'chat-v1/b.zip'}]})
    s3.on(ListObjectVersionsCommand).resolves({
      DeleteMarkers: [{Key: 'chat-v1/c.zip', VersionId: 'd1'}],
      Versions: [{Key: 'chat-v1/a.zip', VersionId: 'v1'}],
    })
    s3.on(DeleteObjectsCommand).resolves({})
    assert.equal(await purgeStackArtifacts(session.s3, 'assets', 'chat-v1'), 3)
    assert.deepEqual(s3.commandCalls(DeleteObjectsCommand)[1].args[0].input.Delete!.Objects, [
      {Key: 'chat-v1/a.zip', VersionId: 'v1'},
      {Key: 'chat-v1/c.zip', VersionId: 'd1'},
    ])

    s3.reset()
    s3.on(ListObjectsV2Command).resolves({Contents: [{Key: 'chat-v1/a.zip'}]})
    s3.on(ListObjectVersionsCommand).rejects(
      new S3ServiceException({
        $fault: 'server',
        $metadata: {httpStatusCode: 501},
        message: 'not here',
        name: 'NotImplemented',
      }),
    )
    s3.on(DeleteObjectsCommand).resolves({})
    assert.equal(await purgeStackArtifacts(session.s3, 'assets', 'chat-v1'), 1)
    s3.on(ListObjectVersionsCommand).rejects(
      new S3ServiceException({
        $fault: 'client',
        $metadata: {httpStatusCode: 403},
        message: 'Access Denied',
        name: 'AccessDenied',
      }),
    )
    await assert.rejects(
      purgeStackArtifacts(session.s3, 'assets', 'chat-v1'),
      (error: Error & {code: string}) => error.code === 'ACCESS_DENIED',
    )
  })
})
