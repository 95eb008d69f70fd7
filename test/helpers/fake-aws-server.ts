import {randomUUID} from 'node:crypto'
import {createServer, request as httpRequest, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {FakeCloudFormation} from './fake-cloudformation.js'
import {type LocalS3, startLocalS3} from './local-s3.js'
import {tempDir} from './tmp.js'

/**
 * Serves a FakeCloudFormation (and STS GetCallerIdentity) over HTTP in the AWS query protocol the SDK
 * speaks to those services: form-encoded requests, XML answers, XML errors. A spawned `wsapi` reaches
 * it through AWS_ENDPOINT_URL_CLOUDFORMATION / AWS_ENDPOINT_URL_STS (or --endpoint-url).
 */

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}

export function toXml(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('')
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `<${key}>${toXml(item)}</${key}>`)
      .join('')
  }

  return escapeXml(String(value))
}

/** `Parameters.member.1.ParameterKey=A` → {Parameters: [{ParameterKey: 'A'}]}. */
export function parseQuery(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  for (const [name, raw] of new URLSearchParams(body)) {
    const path: Array<number | string> = []
    const parts = name.split('.')
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === 'member') path.push(Number(parts[++i]) - 1)
      else path.push(parts[i])
    }

    let node = root as Record<number | string, unknown>
    for (let i = 0; i < path.length - 1; i++) {
      node[path[i]] ??= typeof path[i + 1] === 'number' ? [] : {}
      node = node[path[i]] as Record<number | string, unknown>
    }

    const last = path.at(-1)!
    node[last] = last === 'UsePreviousValue' ? raw === 'true' : raw
  }

  return root
}

export interface FakeAwsServer {
  close(): Promise<void>
  readonly url: string
}

/**
 * With `s3Url`, requests that are not AWS query calls (S3's REST calls) are passed on to that S3, so the
 * server is one endpoint for every service, as LocalStack is (`--endpoint-url`). The Host header is kept:
 * S3 checks the signature against it.
 */
export async function startFakeAwsServer(
  sim: FakeCloudFormation,
  options: {s3Url?: string} = {},
): Promise<FakeAwsServer> {
  const server: Server = createServer((request, response) => {
    const isQuery =
      request.method === 'POST' &&
      request.url === '/' &&
      String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')
    if (!isQuery && options.s3Url) {
      const target = new URL(request.url ?? '/', options.s3Url)
      const forward = httpRequest(target, {headers: request.headers, method: request.method}, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      })
      forward.on('error', (error) => response.destroy(error))
      request.pipe(forward)
      return
    }

    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', async () => {
      const input = parseQuery(body)
      const action = String(input.Action)
      delete input.Action
      delete input.Version
      const namespace =
        action === 'GetCallerIdentity'
          ? 'https://sts.amazonaws.com/doc/2011-06-15/'
          : 'http://cloudformation.amazonaws.com/doc/2010-05-15/'
      try {
        const result = await sim.handle(action, input)
        response.writeHead(200, {'content-type': 'text/xml'})
        response.end(
          `<${action}Response xmlns="${namespace}"><${action}Result>${toXml(result)}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
        )
      } catch (error) {
        const failure = error as Error & {$metadata?: {httpStatusCode?: number}}
        response.writeHead(failure.$metadata?.httpStatusCode ?? 400, {'content-type': 'text/xml'})
        response.end(
          `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${escapeXml(failure.name)}</Code><Message>${escapeXml(failure.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        )
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  }
}

export interface FakeAws {
  /** Environment for a spawned wsapi: isolated HOME and AWS files, test credentials, every service pointed here. */
  readonly env: NodeJS.ProcessEnv
  readonly s3: LocalS3
  readonly server: FakeAwsServer
  readonly sim: FakeCloudFormation
  stop(): Promise<void>
}

/** s3rver, a FakeCloudFormation served over HTTP in front of it, and the environment that reaches both. */
export async function startFakeAws(): Promise<FakeAws> {
  const s3 = await startLocalS3()
  const sim = new FakeCloudFormation({
    createBucket: s3.createBucket,
    fetchTemplate: s3.fetchTemplate,
    objectExists: s3.objectExists,
    pageSize: 6,
  })
  const server = await startFakeAwsServer(sim, {s3Url: s3.url})
  const home = tempDir()
  const env: NodeJS.ProcessEnv = {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_CONFIG_FILE: join(home, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: '',
    AWS_ENDPOINT_URL_CLOUDFORMATION: server.url,
    AWS_ENDPOINT_URL_S3: s3.url,
    AWS_ENDPOINT_URL_STS: server.url,
    AWS_PROFILE: '',
    AWS_REGION: 'eu-west-1',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_SESSION_TOKEN: '',
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    HOME: home,
    WSAPI_POLL_INTERVAL_MS: '5',
  }
  return {
    env,
    s3,
    server,
    sim,
    async stop() {
      await server.close()
      await s3.stop()
    },
  }
}
