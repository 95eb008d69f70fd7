import assert from 'node:assert/strict'

import {checkPresignedRequest, presignUrl} from '../../../src/lib/aws/sigv4.js'
import {LOCAL_CALLER, localCredentials, localIdentity} from '../../../src/lib/dev/iam.js'

describe('dev: the local IAM caller', () => {
  it('knows the secret of its own access key only', () => {
    assert.deepEqual(localCredentials(LOCAL_CALLER.accessKeyId), {
      accessKeyId: LOCAL_CALLER.accessKeyId,
      secretAccessKey: LOCAL_CALLER.secretAccessKey,
    })
    assert.equal(localCredentials('AKIAOTHER0000000000'), undefined)
  })

  it('fills requestContext.identity as API Gateway does for an IAM user of the local account', () => {
    assert.deepEqual(localIdentity(LOCAL_CALLER.accessKeyId), {
      accessKey: LOCAL_CALLER.accessKeyId,
      accountId: '000000000000',
      caller: LOCAL_CALLER.userId,
      user: LOCAL_CALLER.userId,
      userArn: 'arn:aws:iam::000000000000:user/wsapi-dev',
    })
  })

  it('lets its credentials check a presigned URL: its own signature passes, another key or none does not', async () => {
    const check = async (url: string) => {
      const parsed = new URL(url)
      return checkPresignedRequest(
        {host: parsed.host, path: parsed.pathname, query: parsed.searchParams},
        {credentials: localCredentials, region: 'us-east-1'},
      )
    }

    const own = await check(
      await presignUrl('ws://127.0.0.1:3001/v1', {
        credentials: {accessKeyId: LOCAL_CALLER.accessKeyId, secretAccessKey: LOCAL_CALLER.secretAccessKey},
        region: 'us-east-1',
      }),
    )
    assert.deepEqual(own.ok && own.accessKeyId, LOCAL_CALLER.accessKeyId)
    const other = await check(
      await presignUrl('ws://127.0.0.1:3001/v1', {
        credentials: {accessKeyId: 'AKIAOTHER0000000000', secretAccessKey: 'x'},
        region: 'us-east-1',
      }),
    )
    assert.equal(other.ok, false)
    assert.equal((await check('ws://127.0.0.1:3001/v1')).ok, false)
  })
})
