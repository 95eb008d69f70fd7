import assert from 'node:assert/strict'

import {AwsCallError, isNoChangesReason, isStackMissing, toAwsCallError} from '../../../src/lib/aws/index.js'

/** What the SDK throws: a ServiceException named by the AWS error code, with $metadata. */
function sdkError(name: string, message: string, status = 400, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), {$fault: 'client', $metadata: {httpStatusCode: status}, name, ...extra})
}

const CFN = {operation: 'CreateChangeSet', region: 'eu-west-1', service: 'CloudFormation'} as const
const S3 = {bucket: 'my-artifacts', operation: 'PutObject', region: 'eu-west-1', service: 'S3'} as const

describe('toAwsCallError', () => {
  it('no credentials anywhere', () => {
    const error = toAwsCallError(
      Object.assign(new Error('Could not load credentials from any providers'), {name: 'CredentialsProviderError'}),
      CFN,
    )
    assert.equal(error.kind, 'credentials')
    assert.equal(error.exit, 1)
    assert.equal(
      error.message,
      'No AWS credentials found: run `aws configure` or `aws sso login`, pass --profile (or set AWS_PROFILE), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    )
  })

  it('a profile that does not exist', () => {
    const error = toAwsCallError(
      Object.assign(
        new Error('Could not resolve credentials using profile: [nope] in configuration/credentials file(s).'),
        {name: 'CredentialsProviderError'},
      ),
      {...CFN, profile: 'nope'},
    )
    assert.equal(error.code, 'NO_CREDENTIALS')
    assert.match(
      error.message,
      /^No usable AWS credentials for profile "nope" \(.*\): check the name with `aws configure list-profiles`, or pass another --profile\.$/,
    )
  })

  it('an expired SSO session and expired keys', () => {
    const sso = toAwsCallError(
      Object.assign(
        new Error(
          'The SSO session token associated with profile=dev was not found or is invalid. To refresh this SSO session run aws sso login with the corresponding profile.',
        ),
        {name: 'CredentialsProviderError'},
      ),
      {...CFN, profile: 'dev'},
    )
    assert.equal(sso.kind, 'expired-credentials')
    assert.equal(
      sso.message,
      'Your AWS SSO session has expired (profile dev): run `aws sso login --profile dev`, then re-run.',
    )
    const keys = toAwsCallError(
      sdkError('ExpiredToken', 'The security token included in the request is expired', 403),
      CFN,
    )
    assert.equal(keys.kind, 'expired-credentials')
    assert.equal(
      keys.message,
      'Your AWS credentials have expired (ExpiredToken): refresh them (`aws sso login`, or new temporary keys), then re-run.',
    )
  })

  it('a wrong clock is not an expired credential', () => {
    const error = toAwsCallError(sdkError('RequestExpired', 'Request has expired.'), CFN)
    assert.equal(error.kind, 'clock')
    assert.equal(
      error.message,
      "AWS refused the request because this computer's clock is off (RequestExpired): set the time right (e.g. enable NTP), then re-run.",
    )
    assert.equal(
      toAwsCallError(
        sdkError(
          'InvalidSignatureException',
          'Signature expired: 20260301T100000Z is now earlier than 20260301T101500Z',
        ),
        CFN,
      ).kind,
      'clock',
    )
  })

  it('rejected keys mention a region not enabled for the account', () => {
    const error = toAwsCallError(
      sdkError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
      {...CFN, region: 'ap-east-1'},
    )
    assert.equal(error.kind, 'invalid-credentials')
    assert.match(
      error.message,
      /check the access key and secret for typos, use another profile.*enable region ap-east-1 for your account or pick another --region\.$/,
    )
  })

  it('access denied keeps what AWS says was denied', () => {
    const aws =
      'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:CreateChangeSet on resource: arn:aws:cloudformation:eu-west-1:123456789012:stack/chat-v1/* because no identity-based policy allows the cloudformation:CreateChangeSet action'
    const error = toAwsCallError(sdkError('AccessDenied', aws, 403), CFN)
    assert.equal(error.kind, 'access-denied')
    assert.equal(
      error.message,
      `Access denied to CloudFormation CreateChangeSet: ${aws}. Ask for that permission, or use another profile (--profile / AWS_PROFILE).`,
    )
    // S3's HEAD answers have no body: a bare 403.
    assert.match(
      toAwsCallError(sdkError('Forbidden', 'UnknownError', 403), S3).message,
      /^Access denied to S3 PutObject on bucket my-artifacts\. Ask for that permission/,
    )
  })

  it('throttling that outlasted the retries', () => {
    for (const code of [
      'Throttling',
      'ThrottlingException',
      'TooManyRequestsException',
      'SlowDown',
      'RequestLimitExceeded',
    ]) {
      const error = toAwsCallError(sdkError(code, 'Rate exceeded'), CFN)
      assert.equal(error.kind, 'throttled', code)
      assert.equal(
        error.message,
        'AWS kept throttling CloudFormation CreateChangeSet after several retries with backoff: wait a minute, then re-run (a re-run picks up where this one stopped).',
      )
    }
  })

  it('a region that does not exist, and an endpoint that is not running', () => {
    const wrongRegion = toAwsCallError(
      Object.assign(new Error('getaddrinfo ENOTFOUND cloudformation.eu-wst-1.amazonaws.com'), {code: 'ENOTFOUND'}),
      {...CFN, region: 'eu-wst-1'},
    )
    assert.equal(wrongRegion.kind, 'network')
    assert.equal(
      wrongRegion.message,
      'Cannot reach CloudFormation in region eu-wst-1 (cloudformation.eu-wst-1.amazonaws.com not found): check the region (--region / AWS_REGION) and your network.',
    )
    const refused = toAwsCallError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), {code: 'ECONNREFUSED'}),
      {...CFN, endpointUrl: 'http://localhost:4566'},
    )
    assert.equal(
      refused.message,
      'Connection refused by http://localhost:4566: is the endpoint running (LocalStack?) — check --endpoint-url / AWS_ENDPOINT_URL.',
    )
  })

  it('a bucket in another region, however S3 says it', () => {
    const redirect = toAwsCallError(
      sdkError(
        'PermanentRedirect',
        'The bucket you are attempting to access must be addressed using the specified endpoint.',
        301,
        {BucketRegion: 'us-west-2'},
      ),
      S3,
    )
    assert.equal(redirect.kind, 'bucket-region')
    assert.equal(
      redirect.message,
      "Bucket my-artifacts is in us-west-2, but the stack deploys to eu-west-1: Lambda reads code only from its own region, so pass --region us-west-2 or a bucket in eu-west-1 (or leave --s3-bucket out to use wsapi's managed bucket).",
    )
    const header = toAwsCallError(
      sdkError(
        'AuthorizationHeaderMalformed',
        "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'ap-south-1'",
      ),
      S3,
    )
    assert.match(header.message, /^Bucket my-artifacts is in ap-south-1, but the stack deploys to eu-west-1/)
  })

  it('anything else keeps the AWS code and message, on one line', () => {
    const error = toAwsCallError(
      sdkError('LimitExceededException', 'Limit on the number of stacks\nhas been exceeded'),
      CFN,
    )
    assert.equal(error.kind, 'other')
    assert.equal(
      error.message,
      'CloudFormation CreateChangeSet failed: LimitExceededException: Limit on the number of stacks has been exceeded',
    )
    assert.ok(AwsCallError.isAwsCallError(error))
    assert.equal(toAwsCallError(error, CFN), error, 'already translated')
  })
})

describe('CloudFormation answers', () => {
  it('a missing stack, as DescribeStacks words it', () => {
    assert.equal(isStackMissing(sdkError('ValidationError', 'Stack with id chat-v1 does not exist')), true)
    assert.equal(
      isStackMissing(sdkError('ValidationError', 'Template format error: Unresolved resource dependencies')),
      false,
    )
    assert.equal(isStackMissing(sdkError('AccessDenied', 'does not exist')), false)
  })

  it('nothing to change, in both of the wordings AWS uses', () => {
    assert.equal(
      isNoChangesReason(
        "The submitted information didn't contain changes. Submit different information to create a change set.",
      ),
      true,
    )
    assert.equal(isNoChangesReason('No updates are to be performed.'), true)
    assert.equal(isNoChangesReason('Template format error: YAML not well-formed.'), false)
    assert.equal(isNoChangesReason(undefined), false)
  })
})
