import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {
  awsOptionsFrom,
  checkProfileExists,
  credentialSourceWarning,
  customEndpoint,
  sharedFiles,
  validateEndpointUrl,
  validateRegion,
} from '../../../src/lib/aws/options.js'
import {UsageError} from '../../../src/lib/errors.js'
import {tempDir} from '../../helpers/tmp.js'

describe('AWS options', () => {
  it('flags win over AWS_* variables, as in the AWS CLI', () => {
    const env = {AWS_DEFAULT_REGION: 'us-east-2', AWS_MAX_ATTEMPTS: '3', AWS_PROFILE: 'ci', AWS_REGION: 'eu-central-1'}
    assert.deepEqual(awsOptionsFrom({}, env), {
      endpointUrl: undefined,
      maxAttempts: 3,
      profile: 'ci',
      profileSource: 'AWS_PROFILE',
      region: 'eu-central-1',
    })
    assert.equal(awsOptionsFrom({}, {AWS_DEFAULT_REGION: 'us-east-2'}).region, 'us-east-2')
    assert.deepEqual(
      awsOptionsFrom({'endpoint-url': 'http://localhost:4566/', profile: 'dev', region: 'ap-south-1'}, env),
      {
        endpointUrl: 'http://localhost:4566',
        maxAttempts: 3,
        profile: 'dev',
        profileSource: '--profile',
        region: 'ap-south-1',
      },
    )
  })

  it('refuses a malformed region or endpoint as a usage error', () => {
    assert.throws(
      () => awsOptionsFrom({region: 'eu-west'}, {}),
      (error: UsageError) =>
        error.exit === 2 && /Invalid region "eu-west": give a region code such as eu-west-1/.test(error.message),
    )
    assert.throws(
      () => awsOptionsFrom({'endpoint-url': 'localhost:4566'}, {}),
      (error: UsageError) =>
        error.exit === 2 && /Invalid --endpoint-url "localhost:4566": give an http\(s\) URL/.test(error.message),
    )
  })

  it('service endpoints: the flag, else AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL', () => {
    const env = {AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000'}
    assert.equal(customEndpoint({}, 'S3', env), 'http://127.0.0.1:9000')
    assert.equal(customEndpoint({}, 'CLOUDFORMATION', env), 'http://localhost:4566')
    assert.equal(customEndpoint({endpointUrl: 'http://other:1'}, 'S3', env), 'http://other:1')
    assert.equal(customEndpoint({}, 'STS', {}), undefined)
  })

  it('regions of every partition pass; the endpoint loses its trailing slashes', () => {
    for (const region of [
      'us-east-1',
      'eu-central-2',
      'us-gov-west-1',
      'cn-north-1',
      'us-isob-east-1',
      'ap-southeast-5',
    ])
      assert.equal(validateRegion(region), region)
    for (const region of ['EU-WEST-1', 'eu-west-1a', 'euwest1', ''])
      assert.throws(() => validateRegion(region), UsageError, region)
    assert.equal(validateEndpointUrl('https://s3.local:9000///'), 'https://s3.local:9000')
    assert.throws(
      () => validateEndpointUrl('ftp://x', 'AWS_ENDPOINT_URL'),
      /^UsageError: Invalid AWS_ENDPOINT_URL "ftp:\/\/x": give an http\(s\) URL such as http:\/\/localhost:4566\.$/,
    )
    assert.throws(() => customEndpoint({}, 'S3', {AWS_ENDPOINT_URL: 'nope'}), /Invalid AWS_ENDPOINT_URL "nope"/)
  })

  it('empty variables count as unset; AWS_MAX_ATTEMPTS must be a positive whole number', () => {
    assert.deepEqual(awsOptionsFrom({}, {AWS_MAX_ATTEMPTS: '0', AWS_PROFILE: '', AWS_REGION: ''}), {
      endpointUrl: undefined,
      maxAttempts: undefined,
      profile: undefined,
      profileSource: undefined,
      region: undefined,
    })
    assert.equal(awsOptionsFrom({}, {AWS_MAX_ATTEMPTS: '2.5'}).maxAttempts, undefined)
  })

  it('the shared files: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/', () => {
    assert.deepEqual(sharedFiles({}), {
      config: join(homedir(), '.aws', 'config'),
      credentials: join(homedir(), '.aws', 'credentials'),
    })
    assert.deepEqual(sharedFiles({AWS_CONFIG_FILE: '/c', AWS_SHARED_CREDENTIALS_FILE: '/k'}), {
      config: '/c',
      credentials: '/k',
    })
  })

  describe('a named profile must exist', () => {
    const files = () => {
      const dir = tempDir()
      const env = {AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials')}
      writeFileSync(
        env.AWS_CONFIG_FILE,
        '[default]\nregion = eu-west-1\n[profile dev]\nregion = eu-west-1\n[sso-session corp]\nsso_region = eu-west-1\n[services local]\n',
      )
      writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE, '[ ci ]\naws_access_key_id = AKID\n')
      return env
    }

    it('found in either file (config sections with "profile ", credentials without), or no profile asked', () => {
      const env = files()
      for (const profile of ['default', 'dev', 'ci'])
        assert.doesNotThrow(() => checkProfileExists({profile}, env), profile)
      assert.doesNotThrow(() => checkProfileExists({}, env))
      assert.doesNotThrow(
        () => checkProfileExists({credentials: {accessKeyId: 'a', secretAccessKey: 'b'}, profile: 'nosuch'}, env),
        'fixed credentials need none',
      )
    })

    it('missing: a usage error naming the files, the profiles there (not sso-session or services), and how to create it', () => {
      const env = files()
      assert.throws(
        () => checkProfileExists({profile: 'corp'}, env),
        (error: unknown) =>
          error instanceof UsageError &&
          error.code === 'UNKNOWN_PROFILE' &&
          error.message ===
            `The AWS profile "corp" is not in ${env.AWS_CONFIG_FILE} or ${env.AWS_SHARED_CREDENTIALS_FILE}: fix --profile (profiles there: default, dev, ci), create it with \`aws configure --profile corp\`.`,
      )
      assert.throws(
        () =>
          checkProfileExists(
            {profile: 'x', profileSource: 'AWS_PROFILE'},
            {...env, AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 's'},
          ),
        /: fix AWS_PROFILE \(profiles there: default, dev, ci\), create it with `aws configure --profile x`, or unset AWS_PROFILE to use AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY\.$/,
      )
      const none = tempDir()
      assert.throws(
        () =>
          checkProfileExists(
            {profile: 'x'},
            {AWS_CONFIG_FILE: join(none, 'c'), AWS_SHARED_CREDENTIALS_FILE: join(none, 'k')},
          ),
        /is not in .* or .*: fix --profile, create it/,
      )
    })
  })

  it('a profile and access keys both set: one line saying the profile wins', () => {
    const keys = {AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 's'}
    assert.equal(
      credentialSourceWarning({profile: 'dev'}, keys),
      'Using the AWS profile "dev" (--profile); AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set too and are ignored.',
    )
    assert.equal(
      credentialSourceWarning({profile: 'dev', profileSource: 'AWS_PROFILE'}, keys),
      'Using the AWS profile "dev" (AWS_PROFILE); AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set too and are ignored: unset one or the other.',
    )
    assert.equal(credentialSourceWarning({profile: 'dev'}, {AWS_ACCESS_KEY_ID: 'AKID'}), undefined)
    assert.equal(credentialSourceWarning({}, keys), undefined)
  })
})
