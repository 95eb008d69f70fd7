import assert from 'node:assert/strict'

import {presignTarget} from '../../../src/lib/client/sigv4.js'
import {UsageError} from '../../../src/lib/errors.js'

describe('connect/bench --sigv4: which credentials and region sign', () => {
  const saved = {...process.env}
  afterEach(() => {
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_PROFILE',
    ]) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
  })

  it('against wsapi dev: the local caller and region of its record', async () => {
    const signed = new URL(
      await presignTarget(
        {
          dev: {pid: 1, sigv4: {accessKeyId: 'AKIAWSAPIDEVCALLER00', region: 'eu-north-1', secretAccessKey: 's'}},
          source: 'dev',
          url: 'ws://127.0.0.1:3001/v1',
        },
        {region: 'us-west-2'},
      ),
    )
    assert.match(
      signed.searchParams.get('X-Amz-Credential')!,
      /^AKIAWSAPIDEVCALLER00\/\d{8}\/eu-north-1\/execute-api\/aws4_request$/,
    )
  })

  it('elsewhere: the credential chain, for the region of the execute-api host unless --region says otherwise', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENVIRONMENT0'
    process.env.AWS_SECRET_ACCESS_KEY = 'from-the-environment'
    const target = {source: 'argument' as const, url: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/v1'}
    assert.match(
      new URL(await presignTarget(target, {})).searchParams.get('X-Amz-Credential')!,
      /^AKIAFROMENVIRONMENT0\/\d{8}\/eu-west-1\/execute-api\//,
    )
    assert.match(
      new URL(await presignTarget(target, {region: 'ap-south-1'})).searchParams.get('X-Amz-Credential')!,
      /\/ap-south-1\/execute-api\//,
    )
  })

  it('a custom domain without --region or AWS_REGION: a usage error saying to pass --region', async () => {
    delete process.env.AWS_REGION
    delete process.env.AWS_DEFAULT_REGION
    await assert.rejects(
      presignTarget({source: 'argument', url: 'wss://chat.example.com/v1'}, {}),
      (error: Error) => error instanceof UsageError && /pass --region/.test(error.message),
    )
  })
})
