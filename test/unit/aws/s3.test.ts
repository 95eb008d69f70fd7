import assert from 'node:assert/strict'

import {
  DeleteObjectsCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3'
import {type AwsClientStub, mockClient} from 'aws-sdk-client-mock'

import {type AwsSession, createAwsSession} from '../../../src/lib/aws/index.js'
import {TEST_AWS} from '../../helpers/aws-mocks.js'

/** An S3 error as the SDK throws it: name, message and HTTP status. */
function s3Error(name: string, status: number, message = name): S3ServiceException {
  return new S3ServiceException({$fault: 'client', $metadata: {httpStatusCode: status}, message, name})
}

describe('aws: S3Api (S3 mocked)', () => {
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

  it("bucketRegion: what HeadBucket says; a bare 404 is a missing bucket, a bare 403 someone else's", async () => {
    s3.on(HeadBucketCommand).resolves({BucketRegion: 'eu-central-1'})
    assert.equal(await session.s3.bucketRegion('mine'), 'eu-central-1')
    s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404))
    await assert.rejects(
      session.s3.bucketRegion('gone'),
      (error: Error & {code: string}) =>
        error.code === 'BUCKET_MISSING' && error.message.startsWith('Bucket gone does not exist in eu-west-1:'),
    )
    s3.on(HeadBucketCommand).rejects(s3Error('Forbidden', 403))
    await assert.rejects(
      session.s3.bucketRegion('theirs'),
      (error: Error & {code: string}) =>
        error.code === 'ACCESS_DENIED' &&
        error.message ===
          "Access denied to bucket theirs: it belongs to another account, or your credentials lack s3:ListBucket on it. Use a bucket of your own, or leave --s3-bucket out to use wsapi's managed bucket.",
    )
    // An S3-compatible endpoint that does not know HeadBucket's region: undefined, not a failure.
    s3.on(HeadBucketCommand).rejects(s3Error('NotImplemented', 501))
    assert.equal(await session.s3.bucketRegion('compatible'), undefined)
  })

  it('deleteObjects: 1000 per request, with version ids; a key S3 would not delete fails naming it', async () => {
    s3.on(DeleteObjectsCommand).resolves({})
    const objects = Array.from({length: 2001}, (_, index) => ({
      key: `chat-v1/${index}.zip`,
      versionId: index % 2 ? `v${index}` : undefined,
    }))
    await session.s3.deleteObjects('b', objects)
    const calls = s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input)
    assert.deepEqual(
      calls.map((input) => input.Delete!.Objects!.length),
      [1000, 1000, 1],
    )
    assert.deepEqual(calls[0].Delete!.Objects!.slice(0, 2), [
      {Key: 'chat-v1/0.zip', VersionId: undefined},
      {Key: 'chat-v1/1.zip', VersionId: 'v1'},
    ])
    assert.ok(calls.every((input) => input.Bucket === 'b' && input.Delete!.Quiet === true))
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{Code: 'AccessDenied', Key: 'chat-v1/x.zip', Message: 'Access Denied'}],
    })
    await assert.rejects(
      session.s3.deleteObjects('b', [{key: 'chat-v1/x.zip'}]),
      (error: Error & {code: string}) =>
        error.code === 'ACCESS_DENIED' &&
        /1 objects not deleted, e\.g\. chat-v1\/x\.zip: Access Denied/.test(error.message),
    )
  })

  it('listObjects and listVersions read every page; versions include delete markers', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{Key: 'p/a', LastModified: new Date(1000)}],
        IsTruncated: true,
        NextContinuationToken: 't1',
      })
      .resolvesOnce({Contents: [{Key: 'p/b'}], IsTruncated: false})
    assert.deepEqual(await session.s3.listObjects('b', 'p/'), [
      {key: 'p/a', lastModified: new Date(1000)},
      {key: 'p/b', lastModified: undefined},
    ])
    assert.deepEqual(
      s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.ContinuationToken),
      [undefined, 't1'],
    )
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({
        IsTruncated: true,
        NextKeyMarker: 'p/a',
        NextVersionIdMarker: 'v1',
        Versions: [{Key: 'p/a', VersionId: 'v1'}],
      })
      .resolvesOnce({
        DeleteMarkers: [{Key: 'p/a', VersionId: 'd2'}],
        IsTruncated: false,
        Versions: [
          {Key: 'p/b', VersionId: 'v3'},
          {Key: 'other', VersionId: 'v4'},
        ],
      })
    assert.deepEqual(await session.s3.listVersions('b', 'p/'), [
      {key: 'p/a', versionId: 'v1'},
      {key: 'p/b', versionId: 'v3'},
      {key: 'p/a', versionId: 'd2'},
    ])
    assert.deepEqual(s3.commandCalls(ListObjectVersionsCommand)[1].args[0].input, {
      Bucket: 'b',
      KeyMarker: 'p/a',
      Prefix: 'p/',
      VersionIdMarker: 'v1',
    })
  })

  it('objectExists: true, false on 404, undefined when S3 will not say (403), and a missing bucket fails', async () => {
    s3.on(HeadObjectCommand).resolves({})
    assert.equal(await session.s3.objectExists('b', 'k'), true)
    s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404))
    assert.equal(await session.s3.objectExists('b', 'k'), false)
    s3.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403))
    assert.equal(await session.s3.objectExists('b', 'k'), undefined)
    s3.on(HeadObjectCommand).rejects(s3Error('NoSuchBucket', 404))
    await assert.rejects(
      session.s3.objectExists('gone', 'k'),
      (error: Error & {code: string}) => error.code === 'BUCKET_MISSING',
    )
  })

  it('putObject sends the body and type; a failure names the bucket', async () => {
    s3.on(PutObjectCommand).resolves({})
    await session.s3.putObject('b', 'chat-v1/abc.zip', Buffer.from('zip'), 'application/zip')
    const input = s3.commandCalls(PutObjectCommand)[0].args[0].input
    assert.deepEqual(
      [input.Bucket, input.Key, input.ContentType, Buffer.from(input.Body as Buffer).toString()],
      ['b', 'chat-v1/abc.zip', 'application/zip', 'zip'],
    )
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403, 'Access Denied'))
    await assert.rejects(
      session.s3.putObject('b', 'k', Buffer.from(''), 'text/plain'),
      /^AwsCallError: Access denied to S3 PutObject on bucket b: Access Denied\. /,
    )
  })

  it('objectUrl: virtual-hosted on AWS (.com.cn in China), path style on a custom endpoint, each segment encoded', async () => {
    assert.equal(
      session.s3.objectUrl('b', 'chat v1/a+b.json'),
      'https://b.s3.eu-west-1.amazonaws.com/chat%20v1/a%2Bb.json',
    )
    const china = await createAwsSession({...TEST_AWS, region: 'cn-north-1'})
    const local = await createAwsSession({...TEST_AWS, endpointUrl: 'http://127.0.0.1:4566'})
    try {
      assert.equal(china.s3.objectUrl('b', 'k.json'), 'https://b.s3.cn-north-1.amazonaws.com.cn/k.json')
      assert.equal(local.s3.objectUrl('b', 'p/k.json'), 'http://127.0.0.1:4566/b/p/k.json')
    } finally {
      china.destroy()
      local.destroy()
    }
  })
})
