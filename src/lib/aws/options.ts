import {UsageError} from '../errors.js'

/** Where and as whom wsapi talks to AWS. Pure data: building it loads no SDK. */
export interface AwsOptions {
  /** Fixed credentials (tests, LocalStack); otherwise the SDK's standard chain (env, profile, SSO, IMDS…). */
  credentials?: {accessKeyId: string; secretAccessKey: string; sessionToken?: string}
  /** Endpoint for every service (`--endpoint-url`, e.g. http://localhost:4566 for LocalStack). The SDK itself also reads AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>. */
  endpointUrl?: string
  /**
   * Attempts per call, the first included; throttling and transient errors are retried with
   * exponential backoff and jitter by the SDK's adaptive retry mode.
   * @default 8 (or AWS_MAX_ATTEMPTS)
   */
  maxAttempts?: number
  /** Named profile of ~/.aws/config (`--profile`, AWS_PROFILE). */
  profile?: string
  /** `--region`, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's region. */
  region?: string
}

export interface AwsFlagValues {
  'endpoint-url'?: string
  profile?: string
  region?: string
}

// us-east-1, eu-central-2, us-gov-west-1, cn-north-1, us-isob-east-1…
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/

export function validateRegion(value: string): string {
  if (!REGION.test(value)) {
    throw new UsageError(`Invalid region ${JSON.stringify(value)}: give a region code such as eu-west-1 or us-east-1.`, {code: 'INVALID_REGION'})
  }

  return value
}

export function validateEndpointUrl(value: string, what = '--endpoint-url'): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    url = new URL('invalid:')
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`Invalid ${what} ${JSON.stringify(value)}: give an http(s) URL such as http://localhost:4566.`, {code: 'INVALID_ENDPOINT'})
  }

  return value.replace(/\/+$/, '')
}

/** Flags first, then the environment variables the AWS CLI reads. */
export function awsOptionsFrom(flags: AwsFlagValues, env: NodeJS.ProcessEnv = process.env): AwsOptions {
  const region = flags.region ?? (env.AWS_REGION || undefined) ?? (env.AWS_DEFAULT_REGION || undefined)
  const maxAttempts = Number(env.AWS_MAX_ATTEMPTS)
  return {
    endpointUrl: flags['endpoint-url'] === undefined ? undefined : validateEndpointUrl(flags['endpoint-url']),
    maxAttempts: Number.isInteger(maxAttempts) && maxAttempts > 0 ? maxAttempts : undefined,
    profile: flags.profile ?? (env.AWS_PROFILE || undefined),
    region: region === undefined ? undefined : validateRegion(region),
  }
}

/** The endpoint a service is reached at when not the public AWS one: the flag, else the SDK's env variables. */
export function customEndpoint(options: AwsOptions, service: 'CLOUDFORMATION' | 'S3' | 'STS', env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = options.endpointUrl ?? (env[`AWS_ENDPOINT_URL_${service}`] || undefined) ?? (env.AWS_ENDPOINT_URL || undefined)
  return value === undefined ? undefined : validateEndpointUrl(value, options.endpointUrl ? '--endpoint-url' : 'AWS_ENDPOINT_URL')
}
