import {createHash, createHmac} from 'node:crypto'

/** Test credentials: wsapi dev checks that @connections calls are signed, not who signed them. */
export const TEST_CREDENTIALS = {accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret'}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest()

/**
 * The headers of a SigV4 signature (AWS4-HMAC-SHA256, service `execute-api`) for one request, as the AWS SDK
 * and CLI send them on @connections calls
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 */
export function sigV4Headers(
  method: string,
  url: string,
  body: Buffer | string = '',
  options: {region?: string; service?: string} = {},
): Record<string, string> {
  const {host, pathname, searchParams} = new URL(url)
  const region = options.region ?? 'us-east-1'
  const service = options.service ?? 'execute-api'
  const amzDate = new Date().toISOString().replaceAll(/[-:]|\.\d{3}/g, '')
  const day = amzDate.slice(0, 8)
  const payloadHash = sha256(body)
  const headers: Record<string, string> = {host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate}
  const names = Object.keys(headers).sort()
  const query = [...searchParams]
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .sort()
    .join('&')
  const canonical = [
    method,
    pathname,
    query,
    ...names.map((name) => `${name}:${headers[name]}`),
    '',
    names.join(';'),
    payloadHash,
  ].join('\n')
  const scope = `${day}/${region}/${service}/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')
  const key = hmac(hmac(hmac(hmac(`AWS4${TEST_CREDENTIALS.secretAccessKey}`, day), region), service), 'aws4_request')
  const signature = createHmac('sha256', key).update(toSign).digest('hex')
  const {host: _host, ...sent} = headers
  return {
    ...sent,
    authorization: `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  }
}
