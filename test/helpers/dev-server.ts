import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import WebSocket from 'ws'

import type {EmulatedStack} from '../../src/lib/dev/environment.js'
import {functionCode, FunctionHost, type LocalEndpoints} from '../../src/lib/dev/functions.js'
import {DevLog} from '../../src/lib/dev/log.js'
import {linkAwsSdk} from '../../src/lib/dev/sdk-links.js'
import {type DevServer, type DevServerOptions, startDevServer} from '../../src/lib/dev/server.js'
import {RecordingOutput} from '../../src/lib/output.js'
import type {ProjectModel} from '../../src/lib/project/index.js'
import {scaffoldProject} from './project.js'

// Helpers for the unit tests of the dev server's parts (test/unit/dev/{server,handshake,http,functions,…}.test.ts):
// a scaffolded project whose handlers a test can steer, the server started in this process, and small clients.

/**
 * Handlers for in-process dev server tests, replacing the scaffolded ones: each does what its event asks,
 * so that a test can drive $connect's status, a two-way route's answer and failures from the client.
 */
export const TEST_HANDLERS: Record<string, string> = {
  'src/handlers/connect.ts': `export const handler = async (event: any) => {
  const query = event.queryStringParameters ?? {}
  if (query.throw) throw new Error('connect failed on purpose')
  if (query.status) return {statusCode: Number(query.status)}
  if (query.protocol) return {headers: {'Sec-WebSocket-Protocol': query.protocol}, statusCode: 200}
  return {statusCode: 200}
}
`,
  'src/handlers/default.ts': `export const handler = async (event: any) => {
  if (event.body === 'throw') throw new Error('default failed on purpose')
  if (event.body === 'malformed') return {body: 42, statusCode: 200}
  return {body: JSON.stringify({connectionId: event.requestContext.connectionId, echo: event.body, routeKey: event.requestContext.routeKey}), statusCode: 200}
}
`,
  'src/handlers/disconnect.ts': `export const handler = async (event: any) => {
  console.log('disconnected', event.requestContext.disconnectStatusCode)
  return {statusCode: 200}
}
`,
  'src/handlers/sendmessage.ts': `export const handler = async (event: any) => {
  console.log('sendmessage got', event.body)
  return {statusCode: 200}
}
`,
}

/** A scaffolded project with TEST_HANDLERS. */
export function testProject(): string {
  const dir = scaffoldProject()
  for (const [path, source] of Object.entries(TEST_HANDLERS)) writeFileSync(join(dir, path), source)
  return dir
}

/** A RecordingOutput that a test can wait on: `line(pattern)` resolves when a matching line is written. */
export class WatchedOutput extends RecordingOutput {
  private readonly waiters = new Set<() => void>()

  override debug(message: string): void {
    super.debug(message)
    this.wake()
  }

  override error(message: string): void {
    super.error(message)
    this.wake()
  }

  override info(message: string): void {
    super.info(message)
    this.wake()
  }

  /** Resolves with the first line matching `pattern`, written before or after the call. */
  line(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.lines.find((candidate) => pattern.test(candidate.message))
        if (!found) return
        this.waiters.delete(check)
        resolve(found.message)
      }

      this.waiters.add(check)
      check()
    })
  }

  override success(message: string): void {
    super.success(message)
    this.wake()
  }

  override warn(message: string): void {
    super.warn(message)
    this.wake()
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter()
  }
}

/** `startDevServer` in this process on port 0, without watching, its output recorded. */
export async function startTestServer(
  options: Partial<DevServerOptions> = {},
  dir = testProject(),
): Promise<{dir: string; output: WatchedOutput; server: DevServer}> {
  const output = new WatchedOutput()
  const server = await startDevServer({dir, output, port: 0, watch: false, ...options})
  return {dir, output, server}
}

/** Resolves once the output holds a line matching `pattern`. */
export function outputLine(output: WatchedOutput, pattern: RegExp): Promise<string> {
  return output.line(pattern)
}

/** A WebSocket client: resolves open, or rejects with the HTTP status and body of a refused handshake. */
export function openSocket(
  url: string,
  options: WebSocket.ClientOptions & {protocols?: string[]} = {},
): Promise<WebSocket> {
  const ws = new WebSocket(url, options.protocols ?? [], options)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_request, response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk))
      response.on('end', () =>
        reject(
          Object.assign(new Error(`HTTP ${response.statusCode}`), {
            body,
            headers: response.headers,
            status: response.statusCode,
          }),
        ),
      )
    })
    ws.once('error', reject)
  })
}

/** The next text message of a client. */
export function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString('utf8'))))
}

/** Resolves with the close code and reason a client saw. */
export function closed(ws: WebSocket): Promise<{code: number; reason: string}> {
  return new Promise((resolve) =>
    ws.once('close', (code: number, reason: Buffer) => resolve({code, reason: reason.toString('utf8')})),
  )
}

/** Endpoints for functions that call none of them. */
export const endpoints: LocalEndpoints = {
  dynamodbEndpoint: 'http://127.0.0.1:1',
  localEndpoint: 'http://127.0.0.1:2',
  managementEndpoint: 'http://127.0.0.1:2/v1',
  secretsManagerEndpoint: 'http://127.0.0.1:2',
}

/** The stack identity of a project, as wsapi dev makes it up. */
export function stackOf(project: ProjectModel): EmulatedStack {
  return {
    accountId: '000000000000',
    apiEndpoint: 'ws://127.0.0.1:2',
    apiId: 'abcdefghij',
    httpEndpoint: 'http://127.0.0.1:2',
    parameters: project.parameters,
    region: 'us-east-1',
    stackName: 'chat-v1',
    stageName: 'v1',
    template: project.template,
  }
}

/** A FunctionHost for a project, one environment per function, its log recorded in `output`. */
export function hostFor(
  project: ProjectModel,
  output: RecordingOutput = new WatchedOutput(),
  integrationTimeoutMs = 20_000,
): FunctionHost {
  const stack = stackOf(project)
  // As wsapi dev lays them out: bundles find the AWS SDK through the links beside them.
  linkAwsSdk(join(project.dir, '.wsapi', 'dev', 'node_modules'), project.dir)
  return new FunctionHost({
    bundleDir: join(project.dir, '.wsapi', 'dev', 'test'),
    codeOf: (fn, bundle) => functionCode(stack, fn, bundle, endpoints),
    concurrency: 1,
    integrationTimeoutMs,
    log: new DevLog(output, true),
  })
}
