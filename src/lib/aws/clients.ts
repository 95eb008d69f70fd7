import {UsageError} from '../errors.js'
import {CloudFormationApi} from './cloudformation.js'
import {toAwsCallError} from './errors.js'
import {
  type AwsOptions,
  checkProfileExists,
  credentialSourceWarning,
  customEndpoint,
  validateRegion,
} from './options.js'
import {S3Api} from './s3.js'

export interface CallerIdentity {
  account: string
  arn: string
}

/** The clients of one command run: one region, one set of credentials, shared by every call. */
export interface AwsSession {
  readonly cloudFormation: CloudFormationApi
  /** Custom CloudFormation endpoint (LocalStack…), for messages and commands to show. */
  readonly endpointUrl?: string
  /** Who the credentials belong to (STS GetCallerIdentity); also the first check that they work. */
  identity(): Promise<CallerIdentity>
  readonly profile?: string
  readonly region: string
  readonly s3: S3Api
  /** Closes the clients' sockets. */
  destroy(): void
}

const DEFAULT_MAX_ATTEMPTS = 8

/** A logger that keeps the SDK's messages to itself (a logger of its own, not the SDK's NoOpLogger, which it bypasses for warnings). */
class QuietLogger {
  debug(): void {}
  error(): void {}
  info(): void {}
  trace(): void {}
  warn(): void {}
}

/**
 * Creates the CloudFormation, S3 and STS clients, loading the SDK only now (start-up stays fast).
 * Credentials: the given ones, else the standard chain (env, --profile / AWS_PROFILE, SSO, process,
 * container and instance roles), resolved once and shared. Retries: the SDK's adaptive mode, which backs
 * off exponentially with jitter on throttling and transient errors and slows down under throttling.
 */
export async function createAwsSession(options: AwsOptions = {}): Promise<AwsSession> {
  // The SDK warns about future Node.js versions on every run; that is for whoever ships wsapi, not its users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  checkProfileExists(options)
  const warning = credentialSourceWarning(options)
  if (warning) options.onWarning?.(warning)
  const [cloudFormationSdk, s3Sdk, stsSdk] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-sts'),
  ])
  // The SDK's own warnings (said once above in one line, or for whoever ships wsapi) stay out of the terminal.
  const credentials =
    options.credentials ??
    (await import('@aws-sdk/credential-providers')).fromNodeProviderChain({
      logger: new QuietLogger(),
      profile: options.profile,
    })
  const common = {
    credentials,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    profile: options.profile,
    region: options.region,
    retryMode: 'adaptive',
  }

  const cloudFormationEndpoint = customEndpoint(options, 'CLOUDFORMATION')
  const cloudFormationClient = new cloudFormationSdk.CloudFormationClient({...common, endpoint: options.endpointUrl})
  let region: string
  try {
    region = validateRegion(await cloudFormationClient.config.region())
  } catch (error) {
    cloudFormationClient.destroy()
    if (error instanceof UsageError) throw error
    throw new UsageError(
      'No AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or set a region in your AWS profile (`aws configure`).',
      {
        cause: error,
        code: 'NO_REGION',
      },
    )
  }

  const s3Endpoint = customEndpoint(options, 'S3')
  const s3Client = new s3Sdk.S3Client({
    ...common,
    endpoint: options.endpointUrl,
    // LocalStack and other S3-compatible servers answer on one host: bucket in the path, not the host name.
    forcePathStyle: s3Endpoint !== undefined,
    region,
    // Checksums only where S3 requires them: S3-compatible servers do not all know the newer trailing ones.
    requestChecksumCalculation: s3Endpoint === undefined ? undefined : 'WHEN_REQUIRED',
  })
  const stsEndpoint = customEndpoint(options, 'STS')
  const stsClient = new stsSdk.STSClient({...common, endpoint: options.endpointUrl, region})
  const context = {endpointUrl: cloudFormationEndpoint, profile: options.profile, region}
  let identity: Promise<CallerIdentity> | undefined

  return {
    cloudFormation: new CloudFormationApi(cloudFormationSdk, cloudFormationClient, context),
    destroy() {
      cloudFormationClient.destroy()
      s3Client.destroy()
      stsClient.destroy()
    },
    endpointUrl: cloudFormationEndpoint,
    identity() {
      identity ??= stsClient.send(new stsSdk.GetCallerIdentityCommand({})).then(
        (output) => ({account: output.Account ?? '', arn: output.Arn ?? ''}),
        (error: unknown) => {
          throw toAwsCallError(error, {
            ...context,
            endpointUrl: stsEndpoint,
            operation: 'GetCallerIdentity',
            service: 'STS',
          })
        },
      )
      return identity
    },
    profile: options.profile,
    region,
    s3: new S3Api(s3Sdk, s3Client, {...context, endpointUrl: s3Endpoint}),
  }
}
