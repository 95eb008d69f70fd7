import assert from 'node:assert/strict'

import {checkPresignedRequest, presignUrl, regionOfExecuteApiHost} from '../../../src/lib/aws/sigv4.js'

const credentials = {accessKeyId: 'AKIAEXAMPLECALLER000', secretAccessKey: 'example-secret-access-key'}
const known = (accessKeyId: string) => (accessKeyId === credentials.accessKeyId ? credentials : undefined)

async function check(url: string, now?: number) {
  const parsed = new URL(url)
  return checkPresignedRequest(
    {host: parsed.host, path: parsed.pathname, query: parsed.searchParams},
    {credentials: known, now, region: 'eu-west-1'},
  )
}

describe('SigV4 presigned WebSocket URLs (query string, execute-api)', () => {
  it('signs with the SDK signer: the query carries the X-Amz-* parameters for execute-api and host only, and the check accepts it', async () => {
    const signed = await presignUrl('ws://127.0.0.1:3001/v1?room=a', {credentials, region: 'eu-west-1'})
    const query = new URL(signed).searchParams
    assert.equal(query.get('room'), 'a')
    assert.equal(query.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256')
    assert.match(query.get('X-Amz-Credential')!, /^AKIAEXAMPLECALLER000\/\d{8}\/eu-west-1\/execute-api\/aws4_request$/)
    assert.equal(query.get('X-Amz-SignedHeaders'), 'host')
    assert.equal(query.get('X-Amz-Expires'), '300')
    assert.deepEqual(await check(signed), {accessKeyId: 'AKIAEXAMPLECALLER000', ok: true})
  })

  it('refuses unsigned, tampered, expired, unknown-key, wrong-region and other-host URLs', async () => {
    const signed = await presignUrl('ws://127.0.0.1:3001/v1?room=a', {credentials, region: 'eu-west-1'})
    assert.equal(((await check('ws://127.0.0.1:3001/v1')) as {reason: string}).reason, 'missing')
    assert.equal(((await check(signed.replace('room=a', 'room=b'))) as {reason: string}).reason, 'mismatch')
    assert.equal(((await check(signed.replace('/v1?', '/v2?'))) as {reason: string}).reason, 'mismatch')
    assert.equal(
      ((await check(signed.replace('127.0.0.1:3001', '127.0.0.1:3002'))) as {reason: string}).reason,
      'mismatch',
    )
    assert.equal(((await check(signed, Date.now() + 301_000)) as {reason: string}).reason, 'expired')
    const otherKey = await presignUrl('ws://127.0.0.1:3001/v1', {
      credentials: {...credentials, accessKeyId: 'AKIAUNKNOWN000000000'},
      region: 'eu-west-1',
    })
    assert.equal(((await check(otherKey)) as {reason: string}).reason, 'invalid-key')
    const otherSecret = await presignUrl('ws://127.0.0.1:3001/v1', {
      credentials: {...credentials, secretAccessKey: 'wrong'},
      region: 'eu-west-1',
    })
    assert.equal(((await check(otherSecret)) as {reason: string}).reason, 'mismatch')
    const otherRegion = await presignUrl('ws://127.0.0.1:3001/v1', {credentials, region: 'us-east-1'})
    assert.equal(((await check(otherRegion)) as {reason: string}).reason, 'mismatch')
  })

  it('reads the region of an execute-api host', () => {
    assert.equal(regionOfExecuteApiHost('abc123.execute-api.eu-west-1.amazonaws.com'), 'eu-west-1')
    assert.equal(regionOfExecuteApiHost('127.0.0.1'), undefined)
  })
})
