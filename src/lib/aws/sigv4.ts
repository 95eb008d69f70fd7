/**
 * SigV4 for WebSocket handshakes: API Gateway's AWS_IAM authorization on $connect takes the signature in the
 * query string (browsers cannot set headers on the upgrade request), for service `execute-api`. The SDK's own
 * signer does the work, both to sign (`wsapi connect --sigv4`) and to check (`wsapi dev`).
 */

export interface SigV4Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export const SIGV4_SERVICE = 'execute-api'
/** How long a presigned URL stays valid: the handshake follows at once. */
export const PRESIGN_EXPIRES_SECONDS = 300

async function signer(credentials: SigV4Credentials | (() => Promise<SigV4Credentials>), region: string) {
  const [{SignatureV4}, {Hash}] = await Promise.all([import('@smithy/signature-v4'), import('@smithy/hash-node')])
  return new SignatureV4({
    credentials,
    region,
    service: SIGV4_SERVICE,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  })
}

function requestOf(url: URL, query: Record<string, string>) {
  return {
    headers: {host: url.host},
    hostname: url.hostname,
    method: 'GET',
    path: url.pathname,
    port: url.port ? Number(url.port) : undefined,
    protocol: url.protocol,
    query,
  }
}

/** The region of an execute-api host (abc123.execute-api.eu-west-1.amazonaws.com), if it is one. */
export function regionOfExecuteApiHost(hostname: string): string | undefined {
  return /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/i.exec(hostname)?.[1]
}

export interface PresignOptions {
  /** Explicit credentials (wsapi dev's local ones); else the standard chain with `profile`. */
  credentials?: SigV4Credentials
  expiresInSeconds?: number
  profile?: string
  region: string
  signingDate?: Date
}

/** `url` with X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders (host), -Security-Token and -Signature added. */
export async function presignUrl(url: string, options: PresignOptions): Promise<string> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const credentials =
    options.credentials ??
    (await import('@aws-sdk/credential-providers')).fromNodeProviderChain({profile: options.profile})
  const parsed = new URL(url)
  const query = Object.fromEntries(parsed.searchParams)
  const signed = await (
    await signer(credentials, options.region)
  ).presign(requestOf(parsed, query), {
    expiresIn: options.expiresInSeconds ?? PRESIGN_EXPIRES_SECONDS,
    signingDate: options.signingDate,
  })
  const result = new URL(url)
  result.search = new URLSearchParams(signed.query as Record<string, string>).toString()
  return result.href
}

export type SignatureCheck =
  | {accessKeyId: string; ok: true}
  | {message: string; ok: false; reason: 'expired' | 'invalid-key' | 'mismatch' | 'missing' | 'malformed'}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

/**
 * Checks a presigned handshake as API Gateway does: signed by a known access key, for this region and
 * execute-api, not expired, and the signature the SDK's signer computes for the same request. Messages are
 * API Gateway's.
 */
export async function checkPresignedRequest(
  request: {host: string; path: string; query: URLSearchParams},
  options: {credentials: (accessKeyId: string) => SigV4Credentials | undefined; now?: number; region: string},
): Promise<SignatureCheck> {
  const get = (name: string) => request.query.get(name) ?? undefined
  const signature = get('X-Amz-Signature')
  const credential = get('X-Amz-Credential')
  if (!signature || !credential || get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
    return {message: 'Missing Authentication Token', ok: false, reason: 'missing'}
  const [accessKeyId, day, region, service, terminator] = credential.split('/')
  const date = AMZ_DATE.exec(get('X-Amz-Date') ?? '')
  const expires = Number(get('X-Amz-Expires'))
  if (
    !date ||
    terminator !== 'aws4_request' ||
    !Number.isInteger(expires) ||
    expires < 1 ||
    expires > 604_800 ||
    get('X-Amz-SignedHeaders') !== 'host'
  ) {
    return {
      message:
        'Authorization query parameters are malformed or incomplete (X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders=host).',
      ok: false,
      reason: 'malformed',
    }
  }

  const known = options.credentials(accessKeyId)
  if (!known)
    return {message: 'The security token included in the request is invalid.', ok: false, reason: 'invalid-key'}
  if (region !== options.region || service !== SIGV4_SERVICE || day !== `${date[1]}${date[2]}${date[3]}`) {
    return {
      message: `Credential should be scoped to a valid region (${options.region}) and service (${SIGV4_SERVICE}).`,
      ok: false,
      reason: 'mismatch',
    }
  }

  const signingDate = new Date(
    Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4]), Number(date[5]), Number(date[6])),
  )
  const now = options.now ?? Date.now()
  if (now > signingDate.getTime() + expires * 1000) return {message: 'Signature expired', ok: false, reason: 'expired'}
  // A clock ahead of ours by more than API Gateway's 5 minutes of tolerance.
  if (signingDate.getTime() > now + 5 * 60 * 1000)
    return {message: 'Signature not yet current', ok: false, reason: 'expired'}

  const unsigned = Object.fromEntries([...request.query].filter(([name]) => name !== 'X-Amz-Signature'))
  const url = new URL(`http://${request.host}${request.path}`)
  const expected = await (
    await signer({...known, sessionToken: get('X-Amz-Security-Token')}, region)
  ).presign(requestOf(url, unsigned), {expiresIn: expires, signingDate})
  const expectedSignature = String((expected.query as Record<string, string>)['X-Amz-Signature'])
  const {timingSafeEqual} = await import('node:crypto')
  const same =
    expectedSignature.length === signature.length &&
    timingSafeEqual(Buffer.from(expectedSignature), Buffer.from(signature))
  if (!same) {
    return {
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      ok: false,
      reason: 'mismatch',
    }
  }

  return {accessKeyId, ok: true}
}
