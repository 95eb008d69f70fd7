import {ExitCode, WsapiError} from '../errors.js'

/** What went wrong talking to AWS, in the terms a caller acts on. */
export type AwsErrorKind =
  | 'access-denied'
  | 'bucket-missing'
  | 'bucket-region'
  | 'clock'
  | 'credentials'
  | 'expired-credentials'
  | 'invalid-credentials'
  | 'network'
  | 'not-found'
  | 'other'
  | 'throttled'
  | 'validation'

export interface AwsCallContext {
  /** The S3 bucket the call addressed, if any. */
  bucket?: string
  /** Custom endpoint in use (LocalStack…). */
  endpointUrl?: string
  operation: string
  profile?: string
  region: string
  service: 'ApiGatewayManagementApi' | 'CloudFormation' | 'CloudWatch Logs' | 'DynamoDB' | 'S3' | 'STS'
}

/**
 * A failed AWS call: a WsapiError whose one-line message says what happened and what to do,
 * with the AWS error code kept for callers that branch on it (stack missing, throttling).
 */
export class AwsCallError extends WsapiError {
  readonly awsCode: string
  readonly kind: AwsErrorKind
  readonly operation: string

  constructor(
    message: string,
    options: {awsCode: string; cause: unknown; code: string; kind: AwsErrorKind; operation: string},
  ) {
    super(message, {cause: options.cause, code: options.code, exit: ExitCode.failure})
    this.name = 'AwsCallError'
    this.awsCode = options.awsCode
    this.kind = options.kind
    this.operation = options.operation
  }

  static isAwsCallError(value: unknown): value is AwsCallError {
    return (
      WsapiError.is(value) &&
      typeof (value as Partial<AwsCallError>).kind === 'string' &&
      typeof (value as Partial<AwsCallError>).awsCode === 'string'
    )
  }
}

interface SdkErrorShape {
  $metadata?: {httpStatusCode?: number}
  $response?: {headers?: Record<string, string | undefined>}
  BucketRegion?: string
  Code?: string
  code?: string
  errno?: number
  hostname?: string
  message?: string
  name?: string
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
])
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired'])
const CLOCK = new Set(['RequestExpired', 'RequestTimeTooSkewed', 'RequestInTheFuture', 'SignatureExpired'])
const INVALID = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AuthFailure',
  'InvalidToken',
])
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Forbidden',
  'AllAccessDisabled',
])
const NETWORK = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'TimeoutError',
])

/** The AWS (or Node) error code of anything thrown by the SDK. */
export function awsErrorCode(error: unknown): string {
  const shape = (error ?? {}) as SdkErrorShape
  if (typeof shape.code === 'string' && NETWORK.has(shape.code)) return shape.code
  return shape.name && shape.name !== 'Error' ? shape.name : (shape.Code ?? shape.code ?? 'Error')
}

function firstLine(text: string | undefined): string {
  return (text ?? '').replaceAll(/\s*\n\s*/g, ' ').trim()
}

function endpointHost(context: AwsCallContext): string {
  if (context.endpointUrl) return context.endpointUrl
  const suffix = context.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
  const prefix =
    context.service === 'CloudWatch Logs'
      ? 'logs'
      : context.service === 'ApiGatewayManagementApi'
        ? 'execute-api'
        : context.service.toLowerCase()
  return `${prefix}.${context.region}.${suffix}`
}

/** The region S3 names in a wrong-region answer (301 header, or "expecting 'eu-west-1'" in the message). */
function bucketRegionOf(error: SdkErrorShape): string | undefined {
  return (
    error.BucketRegion ??
    error.$response?.headers?.['x-amz-bucket-region'] ??
    /expecting '([a-z0-9-]+)'/.exec(error.message ?? '')?.[1]
  )
}

function profileHint(context: AwsCallContext): string {
  return context.profile ? ` (profile ${context.profile})` : ''
}

/** A bucket in another region than the stack's: Lambda reads its code only from the function's region. */
export function wrongBucketRegionMessage(bucket: string, bucketRegion: string | undefined, region: string): string {
  const where = bucketRegion ? `is in ${bucketRegion}` : 'is in another region'
  const fix = bucketRegion ? `--region ${bucketRegion}` : "the bucket's --region"
  return `Bucket ${bucket} ${where}, but the stack deploys to ${region}: Lambda reads code only from its own region, so pass ${fix} or a bucket in ${region} (or leave --s3-bucket out to use wsapi's managed bucket).`
}

/** Turns anything the SDK throws into an AwsCallError with a message that says what to do. */
export function toAwsCallError(error: unknown, context: AwsCallContext): AwsCallError {
  if (AwsCallError.isAwsCallError(error)) return error
  const shape = (error ?? {}) as SdkErrorShape
  const awsCode = awsErrorCode(error)
  const status = shape.$metadata?.httpStatusCode
  const awsMessage = firstLine(shape.message)
  const call = `${context.service} ${context.operation}`
  const make = (kind: AwsErrorKind, code: string, message: string) =>
    new AwsCallError(message, {awsCode, cause: error, code, kind, operation: context.operation})

  if (
    awsCode === 'CredentialsProviderError' ||
    awsCode === 'TokenProviderError' ||
    /could not (load|resolve) credentials/i.test(awsMessage)
  ) {
    if (/sso/i.test(awsMessage) && /(expired|refresh|invalid)/i.test(awsMessage)) {
      return make(
        'expired-credentials',
        'EXPIRED_CREDENTIALS',
        `Your AWS SSO session has expired${profileHint(context)}: run \`aws sso login${context.profile ? ` --profile ${context.profile}` : ''}\`, then re-run.`,
      )
    }

    if (context.profile && /profile/i.test(awsMessage)) {
      return make(
        'credentials',
        'NO_CREDENTIALS',
        `No usable AWS credentials for profile ${JSON.stringify(context.profile)} (${awsMessage}): check the name with \`aws configure list-profiles\`, or pass another --profile.`,
      )
    }

    return make(
      'credentials',
      'NO_CREDENTIALS',
      'No AWS credentials found: run `aws configure` or `aws sso login`, pass --profile (or set AWS_PROFILE), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    )
  }

  if (EXPIRED.has(awsCode) || /security token included in the request is expired/i.test(awsMessage)) {
    return make(
      'expired-credentials',
      'EXPIRED_CREDENTIALS',
      `Your AWS credentials have expired${profileHint(context)} (${awsCode}): refresh them (\`aws sso login\`, or new temporary keys), then re-run.`,
    )
  }

  if (CLOCK.has(awsCode) || /signature expired/i.test(awsMessage)) {
    return make(
      'clock',
      'CLOCK_SKEW',
      `AWS refused the request because this computer's clock is off (${awsCode}): set the time right (e.g. enable NTP), then re-run.`,
    )
  }

  if (INVALID.has(awsCode)) {
    return make(
      'invalid-credentials',
      'INVALID_CREDENTIALS',
      `AWS rejected the credentials${profileHint(context)} (${awsCode}): check the access key and secret for typos, use another profile (--profile / AWS_PROFILE), or, if they are right, enable region ${context.region} for your account or pick another --region.`,
    )
  }

  if (awsCode === 'NoSuchBucket') {
    const bucket = context.bucket ? `Bucket ${context.bucket}` : 'The bucket'
    return make(
      'bucket-missing',
      'BUCKET_MISSING',
      `${bucket} does not exist in ${context.region}: create it, fix --s3-bucket, or leave --s3-bucket out to use wsapi's managed bucket.`,
    )
  }

  if (
    context.service === 'S3' &&
    (awsCode === 'PermanentRedirect' ||
      awsCode === 'AuthorizationHeaderMalformed' ||
      awsCode === 'IllegalLocationConstraintException' ||
      status === 301)
  ) {
    return make(
      'bucket-region',
      'BUCKET_REGION',
      wrongBucketRegionMessage(context.bucket ?? '', bucketRegionOf(shape), context.region),
    )
  }

  if (DENIED.has(awsCode) || (status === 403 && !THROTTLING.has(awsCode))) {
    const detail =
      awsMessage && awsMessage !== awsCode && awsMessage !== 'UnknownError' ? `: ${awsMessage.replace(/\.$/, '')}` : ''
    return make(
      'access-denied',
      'ACCESS_DENIED',
      `Access denied to ${call}${context.bucket ? ` on bucket ${context.bucket}` : ''}${detail}. Ask for that permission, or use another profile (--profile / AWS_PROFILE).`,
    )
  }

  if (THROTTLING.has(awsCode) || status === 429) {
    return make(
      'throttled',
      'THROTTLED',
      `AWS kept throttling ${call} after several retries with backoff: wait a minute, then re-run (a re-run picks up where this one stopped).`,
    )
  }

  if (NETWORK.has(awsCode)) {
    const host = endpointHost(context)
    const message =
      context.endpointUrl === undefined && (awsCode === 'ENOTFOUND' || awsCode === 'EAI_AGAIN')
        ? `Cannot reach ${context.service} in region ${context.region} (${host} not found): check the region (--region / AWS_REGION) and your network.`
        : awsCode === 'ECONNREFUSED'
          ? `Connection refused by ${host}: is the endpoint running (LocalStack?) — check --endpoint-url / AWS_ENDPOINT_URL.`
          : `Cannot reach ${host} (${awsCode}): check your network${context.endpointUrl ? ' and --endpoint-url' : ''}, then re-run.`
    return make('network', 'NETWORK', message)
  }

  if (awsCode === 'NotFound' || awsCode === 'NoSuchKey' || status === 404) {
    return make(
      'not-found',
      'NOT_FOUND',
      `${call}: not found${awsMessage && awsMessage !== 'NotFound' ? ` (${awsMessage})` : ''}.`,
    )
  }

  if (awsCode === 'ValidationError') {
    return make('validation', 'AWS_VALIDATION', `${call} was refused: ${awsMessage}`)
  }

  return make(
    'other',
    'AWS_ERROR',
    `${call} failed: ${awsCode}${awsMessage && awsMessage !== awsCode ? `: ${awsMessage}` : ''}`,
  )
}

/** CloudFormation's answer for a stack name or id it does not know. */
export function isStackMissing(error: unknown): boolean {
  const shape = (error ?? {}) as SdkErrorShape
  return awsErrorCode(error) === 'ValidationError' && /does not exist/i.test(shape.message ?? '')
}

/** A change set or update that changes nothing. AWS words it two ways, depending on the call. */
export function isNoChangesReason(reason: string | undefined): boolean {
  return (
    reason !== undefined && (/didn't contain changes/i.test(reason) || /No updates are to be performed/i.test(reason))
  )
}
