import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

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
  /** Where `profile` came from, for messages. */
  profileSource?: '--profile' | 'AWS_PROFILE'
  /** Told about credential settings worth knowing (say, a profile and access keys both set). */
  onWarning?: (message: string) => void
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
    throw new UsageError(
      `Invalid region ${JSON.stringify(value)}: give a region code such as eu-west-1 or us-east-1.`,
      {code: 'INVALID_REGION'},
    )
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
    throw new UsageError(
      `Invalid ${what} ${JSON.stringify(value)}: give an http(s) URL such as http://localhost:4566.`,
      {code: 'INVALID_ENDPOINT'},
    )
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
    profileSource: flags.profile === undefined ? (env.AWS_PROFILE ? 'AWS_PROFILE' : undefined) : '--profile',
    region: region === undefined ? undefined : validateRegion(region),
  }
}

/** The endpoint a service is reached at when not the public AWS one: the flag, else the SDK's env variables. */
export function customEndpoint(
  options: AwsOptions,
  service: 'CLOUDFORMATION' | 'CLOUDWATCH_LOGS' | 'DYNAMODB' | 'S3' | 'STS',
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const value =
    options.endpointUrl ?? (env[`AWS_ENDPOINT_URL_${service}`] || undefined) ?? (env.AWS_ENDPOINT_URL || undefined)
  return value === undefined
    ? undefined
    : validateEndpointUrl(value, options.endpointUrl ? '--endpoint-url' : 'AWS_ENDPOINT_URL')
}

/** The shared config and credentials files, where the AWS CLI and SDK look for them. */
export function sharedFiles(env: NodeJS.ProcessEnv = process.env): {config: string; credentials: string} {
  return {
    config: env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials'),
  }
}

/** Profile names of an ini file: `[profile x]` (config) or `[x]` (credentials, and `[default]` in config). */
function profileNames(path: string): string[] {
  let text: string
  try {
    text = existsSync(path) ? readFileSync(path, 'utf8') : ''
  } catch {
    return []
  }

  const names: string[] = []
  for (const match of text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]/gm)) {
    const section = match[1]
    // Not profiles: `[sso-session x]`, `[services x]`.
    if (/^(sso-session|services)\s/.test(section)) continue
    names.push(section.replace(/^profile\s+/, ''))
  }

  return names
}

function shown(path: string): string {
  const home = homedir()
  return path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path
}

/**
 * A named profile must exist before the SDK looks for it: otherwise the SDK's answer is about a missing
 * region or missing credentials, which sends the user to the wrong fix.
 */
export function checkProfileExists(options: AwsOptions, env: NodeJS.ProcessEnv = process.env): void {
  const {profile} = options
  if (profile === undefined || options.credentials !== undefined) return
  const files = sharedFiles(env)
  const known = [...new Set([...profileNames(files.config), ...profileNames(files.credentials)])]
  if (known.includes(profile)) return
  const source = options.profileSource ?? '--profile'
  const there =
    known.length > 0 ? ` (profiles there: ${known.slice(0, 6).join(', ')}${known.length > 6 ? ', …' : ''})` : ''
  const keys =
    source === 'AWS_PROFILE' && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? ', or unset AWS_PROFILE to use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY'
      : ''
  throw new UsageError(
    `The AWS profile ${JSON.stringify(profile)} is not in ${shown(files.config)} or ${shown(files.credentials)}: fix ${source}${there}, create it with \`aws configure --profile ${profile}\`${keys}.`,
    {code: 'UNKNOWN_PROFILE'},
  )
}

/**
 * A profile and access-key variables both set: the SDK takes the profile and would print a nine-line
 * warning about it. One line instead, saying which source wins.
 */
export function credentialSourceWarning(options: AwsOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (
    options.profile === undefined ||
    options.credentials !== undefined ||
    !env.AWS_ACCESS_KEY_ID ||
    !env.AWS_SECRET_ACCESS_KEY
  )
    return undefined
  const source = options.profileSource ?? '--profile'
  return `Using the AWS profile ${JSON.stringify(options.profile)} (${source}); AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set too and are ignored${source === 'AWS_PROFILE' ? ': unset one or the other' : ''}.`
}
