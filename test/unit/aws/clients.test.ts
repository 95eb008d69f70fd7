import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {createAwsSession} from '../../../src/lib/aws/index.js'
import type {UsageError} from '../../../src/lib/errors.js'
import {tempDir} from '../../helpers/tmp.js'

const AWS_ENV = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_MAX_ATTEMPTS',
  'AWS_EC2_METADATA_DISABLED',
]

// Options from flags and the environment: options.test.ts beside this file.
describe('AWS options and clients', () => {
  let saved: Record<string, string | undefined>

  beforeEach(() => {
    saved = Object.fromEntries(AWS_ENV.map((name) => [name, process.env[name]]))
    for (const name of AWS_ENV) delete process.env[name]
    // Never reach for an instance role from a test.
    process.env.AWS_EC2_METADATA_DISABLED = 'true'
    const empty = tempDir()
    process.env.AWS_CONFIG_FILE = join(empty, 'config')
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(empty, 'credentials')
  })

  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  it('takes region and credentials from a named profile of the shared files', async () => {
    writeFileSync(process.env.AWS_CONFIG_FILE!, '[profile dev]\nregion = ap-southeast-2\n')
    writeFileSync(
      process.env.AWS_SHARED_CREDENTIALS_FILE!,
      '[dev]\naws_access_key_id = AKIDEVEXAMPLE\naws_secret_access_key = devsecret\n',
    )
    const session = await createAwsSession({profile: 'dev'})
    try {
      assert.equal(session.region, 'ap-southeast-2')
      assert.equal(session.profile, 'dev')
      const credentials = await session.cloudFormation.client.config.credentials()
      assert.equal(credentials.accessKeyId, 'AKIDEVEXAMPLE')
      // The S3 client shares the same resolved credentials.
      assert.equal((await session.s3.client.config.credentials()).accessKeyId, 'AKIDEVEXAMPLE')
    } finally {
      session.destroy()
    }
  })

  it('no region anywhere is a usage error that says where to set one', async () => {
    await assert.rejects(createAwsSession({}), (error: UsageError) => {
      assert.equal(error.exit, 2)
      assert.equal(error.code, 'NO_REGION')
      assert.equal(
        error.message,
        'No AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or set a region in your AWS profile (`aws configure`).',
      )
      return true
    })
  })

  it('retries with the adaptive mode; path-style S3 and relaxed checksums only on a custom endpoint', async () => {
    const plain = await createAwsSession({credentials: {accessKeyId: 'a', secretAccessKey: 'b'}, region: 'eu-west-1'})
    const local = await createAwsSession({
      credentials: {accessKeyId: 'a', secretAccessKey: 'b'},
      endpointUrl: 'http://localhost:4566',
      region: 'us-east-1',
    })
    try {
      assert.equal(await plain.cloudFormation.client.config.maxAttempts(), 8)
      const value = async (setting: unknown) =>
        typeof setting === 'function' ? (setting as () => Promise<unknown>)() : setting
      assert.equal(await value(plain.cloudFormation.client.config.retryMode), 'adaptive')
      assert.equal(await value(local.s3.client.config.requestChecksumCalculation), 'WHEN_REQUIRED')
      assert.equal(await value(plain.s3.client.config.requestChecksumCalculation), 'WHEN_SUPPORTED')
      assert.equal(plain.s3.client.config.forcePathStyle, false)
      assert.equal(local.s3.client.config.forcePathStyle, true)
      assert.equal(plain.endpointUrl, undefined)
      assert.equal(local.endpointUrl, 'http://localhost:4566')
      const endpoint = await local.cloudFormation.client.config.endpoint!()
      assert.equal(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`, 'http://localhost:4566')
      assert.equal(
        plain.s3.objectUrl('bucket', 'chat-v1/a b.json'),
        'https://bucket.s3.eu-west-1.amazonaws.com/chat-v1/a%20b.json',
      )
      assert.equal(local.s3.objectUrl('bucket', 'chat-v1/x.json'), 'http://localhost:4566/bucket/chat-v1/x.json')
    } finally {
      plain.destroy()
      local.destroy()
    }
  })

  it('with no credentials at all, the first call says how to get some', async () => {
    const session = await createAwsSession({region: 'eu-west-1'})
    try {
      await assert.rejects(session.identity(), (error: Error & {code: string}) => {
        assert.equal(error.code, 'NO_CREDENTIALS')
        assert.match(error.message, /^No AWS credentials found: run `aws configure`/)
        return true
      })
    } finally {
      session.destroy()
    }
  })
})
