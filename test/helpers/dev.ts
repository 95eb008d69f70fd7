import {type ChildProcess, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {connect as tcpConnect, type Socket} from 'node:net'
import {dirname, join} from 'node:path'

import WebSocket from 'ws'

import type {WebSocketEvent} from '../../runtime/types.js'

import {BIN, REPO_ROOT} from './cli.js'
import {tempDir} from './tmp.js'

/** The `--json` ready line of `wsapi dev`. */
export interface ReadyLine {
  dynamodbEndpoint: string
  event: 'ready'
  /** http://127.0.0.1:<port>: the Lambda and SQS APIs. */
  localEndpoint: string
  managementEndpoint: string
  pageUrl: string
  pid: number
  port: number
  project: string
  routes: Array<{authorizer?: string; functionId: string; key: string; twoWay: boolean}>
  secrets: Array<{generated: boolean; logicalId: string; name: string}>
  secretsManagerEndpoint: string
  stage: string
  tables: Array<{logicalId: string; name: string}>
  url: string
}

/** `wsapi dev --json --port 0` running on a project, as a user starts it. */
export class DevProcess {
  readonly child: ChildProcess
  readonly exited: Promise<number | null>
  ready!: ReadyLine
  stderr = ''
  stdout = ''

  /** `args` may hold its own `--port`. */
  /** `input`, when given, is written to its standard input (which is then closed). */
  constructor(dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, input?: string) {
    this.child = spawn(
      process.execPath,
      [BIN, 'dev', '--dir', dir, ...(args.includes('--port') ? [] : ['--port', '0']), '--json', ...args],
      {
        cwd: REPO_ROOT,
        env: {...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env},
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      },
    )
    if (input !== undefined) this.child.stdin!.end(input)
    this.child.stdout!.on('data', (chunk) => (this.stdout += chunk))
    this.child.stderr!.on('data', (chunk) => (this.stderr += chunk))
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)))
  }

  /** Resolves with the ready line; rejects if the process ends first. */
  async start(timeoutMs = 30_000): Promise<this> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      // Only complete lines: a pipe may hand over the ready line in two chunks.
      const complete = this.stdout.slice(0, this.stdout.lastIndexOf('\n') + 1)
      const line = complete.split('\n').find((candidate) => candidate.startsWith('{"'))
      if (line) {
        this.ready = JSON.parse(line) as ReadyLine
        return this
      }

      if (this.child.exitCode !== null) throw new Error(`wsapi dev exited with ${this.child.exitCode}\n${this.stderr}`)
      await sleep(25)
    }

    throw new Error(`wsapi dev did not get ready\n${this.stderr}`)
  }

  /** Waits until stderr (where logs go with --json) matches. */
  async waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const match = pattern.exec(this.stderr)
      if (match) return match[0]
      await sleep(20)
    }

    throw new Error(`no log line matches ${pattern}\n${this.stderr}`)
  }

  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal)
    return this.exited
  }
}

export async function startDev(
  dir: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  input?: string,
): Promise<DevProcess> {
  const dev = new DevProcess(dir, args, env, input)
  try {
    return await dev.start()
  } catch (error) {
    await dev.stop('SIGKILL')
    throw error
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A ws client that keeps every message and its close code, with promises to await them. */
export class TestClient {
  closed: Promise<{code: number; reason: string}>
  readonly messages: string[] = []
  private waiters: Array<() => void> = []

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(data.toString())
      for (const waiter of this.waiters.splice(0)) waiter()
    })
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({code, reason: reason.toString()})))
    ws.on('error', () => {})
  }

  /** The next message not yet taken (in arrival order); the default wait is a failure deadline, generous for a busy machine. */
  async next(timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    while (this.messages.length === 0) {
      if (Date.now() > deadline) throw new Error('no message arrived')
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }

    return this.messages.shift()!
  }

  /** Resolves true if a message arrives within `ms`. */
  async receivesWithin(ms: number): Promise<boolean> {
    try {
      await this.next(ms)
      return true
    } catch {
      return false
    }
  }

  send(data: string): void {
    this.ws.send(data)
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason)
  }
}

export type HandshakeOutcome =
  | {client: TestClient; ok: true; protocol: string}
  | {body: string; headers: Record<string, string | string[] | undefined>; ok: false; status: number}

/** Connects; a refused handshake resolves with its HTTP status instead of throwing. */
export function tryConnect(
  url: string,
  options: WebSocket.ClientOptions & {protocols?: string[]} = {},
): Promise<HandshakeOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols, options)
    ws.on('open', () => resolve({client: new TestClient(ws), ok: true, protocol: ws.protocol}))
    ws.on('unexpected-response', (_request, response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk.toString()))
      response.on('end', () => resolve({body, headers: response.headers, ok: false, status: response.statusCode ?? 0}))
    })
    ws.on('error', (error) => reject(error))
  })
}

export async function connect(
  url: string,
  options: WebSocket.ClientOptions & {protocols?: string[]} = {},
): Promise<TestClient> {
  const outcome = await tryConnect(url, options)
  if (!outcome.ok) throw new Error(`handshake refused: ${outcome.status} ${outcome.body}`)
  return outcome.client
}

// ---- a probe project: one handler behind every route that records each event and does as told ----

/**
 * The probe handler. Every event is appended to RECORD_FILE (with a few environment variables). What it
 * returns is driven by the event: on $connect by the query string (status, throw, protocol, body, sleep,
 * malformed), on messages by the JSON body's `do` (throw, sleep, exit, crash, hang, status, post-self,
 * post-domain) and `reply` (the body it returns).
 */
export const PROBE_HANDLER = `
import {appendFileSync} from 'node:fs'
import {ApiGatewayManagementApiClient, PostToConnectionCommand} from '@aws-sdk/client-apigatewaymanagementapi'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const ENV_KEYS = ['AWS_REGION', 'AWS_ENDPOINT_URL_DYNAMODB', 'WSAPI_MANAGEMENT_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'TABLE', 'TABLE_ARN', 'SUBBED', 'JOINED', 'AWS_LAMBDA_FUNCTION_NAME', 'HOME']

export async function handler(event: any, context: any) {
  const env = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]))
  appendFileSync(process.env.RECORD_FILE!, JSON.stringify({env, event, remaining: context.getRemainingTimeInMillis()}) + '\\n')
  const context_ = event.requestContext
  if (context_.eventType === 'CONNECT') {
    const query = event.queryStringParameters ?? {}
    if (query.sleep) await sleep(Number(query.sleep))
    if (query.throw) throw new Error('connect failed on purpose')
    if (query.malformed) return null
    return {statusCode: Number(query.status ?? 200), body: query.body, headers: query.protocol ? {'Sec-WebSocket-Protocol': query.protocol, 'X-Other': 'no'} : {'X-Other': 'no'}}
  }

  if (context_.eventType === 'DISCONNECT') {
    if (process.env.DISCONNECT_THROWS) throw new Error('disconnect failed on purpose')
    return {statusCode: 200}
  }

  let body: any = {}
  try {
    body = JSON.parse(event.body)
  } catch {}
  switch (body?.do) {
    case 'throw': throw new Error('message failed on purpose')
    case 'sleep': await sleep(Number(body.ms)); break
    case 'exit': process.exit(3)
    case 'crash': setTimeout(() => { throw new Error('crashed later') }, 0); await sleep(1000); break
    case 'hang': for (;;) {}
    case 'post-self': {
      const client = new ApiGatewayManagementApiClient({endpoint: process.env.WSAPI_MANAGEMENT_ENDPOINT})
      await client.send(new PostToConnectionCommand({ConnectionId: context_.connectionId, Data: new TextEncoder().encode('posted:' + body.text)}))
      break
    }
    case 'post-domain': {
      // The form AWS documents, with the scheme the emulator speaks.
      const client = new ApiGatewayManagementApiClient({endpoint: 'http://' + context_.domainName + '/' + context_.stage})
      await client.send(new PostToConnectionCommand({ConnectionId: context_.connectionId, Data: new TextEncoder().encode('via-domain')}))
      break
    }
  }

  if (body?.return !== undefined) return body.return
  return {statusCode: Number(body?.status ?? 200), body: body?.reply}
}
`

export interface ProbeRoute {
  authorized?: boolean
  key: string
  twoWay?: boolean
}

export interface ProbeProjectOptions {
  /** Extra resources/parameters as YAML lines (indented for Resources). */
  environment?: Record<string, string>
  routes: ProbeRoute[]
  selection?: string
  stage?: string
  stageVariables?: Record<string, string>
  timeout?: number
}

/** A project whose routes all run the probe handler; returns its folder and the record file. */
export function probeProject(options: ProbeProjectOptions): {dir: string; records: string} {
  const dir = join(tempDir(), 'probe')
  const records = join(dir, 'records.jsonl')
  mkdirSync(join(dir, 'src'), {recursive: true})
  writeFileSync(join(dir, 'src', 'probe.ts'), PROBE_HANDLER)
  const id = (key: string) => `R${Buffer.from(key).toString('hex')}`
  const routes = options.routes
    .map(
      (route) => `
  ${id(route.key)}Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: ${JSON.stringify(route.key)}
${route.authorized ? '      AuthorizationType: CUSTOM\n      AuthorizerId: !Ref Authorizer' : '      AuthorizationType: NONE'}
${route.twoWay ? '      RouteResponseSelectionExpression: $default' : ''}
      Target: !Join ['/', [integrations, !Ref Integration]]`,
    )
    .join('\n')
  const environment = Object.entries({
    JOINED: "!Join ['-', [a, !Ref AWS::Region]]",
    RECORD_FILE: JSON.stringify(records),
    SUBBED: "!Sub '${AWS::StackName}/${Api}'",
    TABLE: '!Ref Table',
    TABLE_ARN: '!GetAtt Table.Arn',
    ...options.environment,
  })
    .map(([name, value]) => `          ${name}: ${value}`)
    .join('\n')
  const stageVariables = options.stageVariables
    ? `      StageVariables:\n${Object.entries(options.stageVariables)
        .map(([name, value]) => `        ${name}: ${JSON.stringify(value)}`)
        .join('\n')}`
    : ''
  const authorizer = options.routes.some((route) => route.authorized)
    ? `
  Authorizer:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Api
      Name: probe
      AuthorizerType: REQUEST
      IdentitySource: [route.request.querystring.token]
      AuthorizerUri: !Sub 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\${AuthorizerFunction.Arn}/invocations'
  AuthorizerFunction:
    Type: AWS::Lambda::Function
    Properties:
      Code: src/authorizer.ts
      Handler: index.handler
      Runtime: nodejs22.x
      Timeout: 5`
    : ''
  if (authorizer) {
    writeFileSync(
      join(dir, 'src', 'authorizer.ts'),
      `export async function handler(event: any) {
  const token = event.queryStringParameters?.token
  if (token === 'throw') throw new Error('Unauthorized')
  return {principalId: 'user-' + token, context: {n: 42, ok: true, who: token}, policyDocument: {Version: '2012-10-17', Statement: [{Action: 'execute-api:Invoke', Effect: token === 'deny' ? 'Deny' : 'Allow', Resource: event.methodArn}]}}
}
`,
    )
  }

  writeFileSync(
    join(dir, 'template.yaml'),
    `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: probe
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: ${JSON.stringify(options.selection ?? '$request.body.action')}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: ${options.stage ?? 'test'}
${stageVariables}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\${ProbeFunction.Arn}/invocations'
${routes}
  ProbeFunction:
    Type: AWS::Lambda::Function
    Properties:
      Code: src/probe.ts
      Handler: index.handler
      Runtime: nodejs22.x
      Timeout: ${options.timeout ?? 10}
      Environment:
        Variables:
${environment}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
      TimeToLiveSpecification: {AttributeName: expiresAt, Enabled: true}
${authorizer}
`,
  )
  return {dir, records}
}

export interface Recorded {
  env: Record<string, string | undefined>
  event: WebSocketEvent
  remaining: number
}

/**
 * Reads the complete records. A handler may be appending while we read, so text after the last newline is a
 * record still being written: it is left for the next read rather than parsed half-way.
 */
export function readRecords(file: string): Recorded[] {
  if (!existsSync(file)) return []
  const text = readFileSync(file, 'utf8')
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Recorded)
}

/** Waits for the first recorded event that matches. */
export async function waitForRecord(
  file: string,
  match: (record: Recorded) => boolean,
  timeoutMs = 30_000,
): Promise<Recorded> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const found = readRecords(file).find((record) => match(record))
    if (found) return found
    await sleep(20)
  }

  throw new Error(`no recorded event matched in ${timeoutMs} ms:\n${readFileSync(file, 'utf8')}`)
}

export function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), {recursive: true})
  writeFileSync(path, text)
}

/** The response head to a WebSocket handshake sent over a bare TCP socket (no WebSocket library in between). */
export function rawHandshake(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1')
    let head = ''
    socket.on('error', reject)
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1')
      if (head.includes('\r\n\r\n')) {
        socket.destroy()
        resolve(head.slice(0, head.indexOf('\r\n\r\n')))
      }
    })
    socket.on('close', () => resolve(head))
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    )
  })
}

/** A raw TCP client that completes the WebSocket handshake, for frames no library would send. */
export async function rawSocket(port: number, path: string): Promise<Socket> {
  const socket = tcpConnect(port, '127.0.0.1')
  socket.on('error', () => {})
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  )
  await new Promise<void>((resolve, reject) => {
    let head = ''
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1')
      if (head.includes('\r\n\r\n')) {
        socket.off('data', onData)
        if (head.startsWith('HTTP/1.1 101')) resolve()
        else reject(new Error(head))
      }
    }

    socket.on('data', onData)
  })
  return socket
}

/** A masked client frame. */
export function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = randomBytes(4)
  const length = payload.length
  const header =
    length < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | length])
      : length < 65_536
        ? Buffer.alloc(4)
        : Buffer.alloc(10)
  if (length >= 126) {
    header[0] = (fin ? 0x80 : 0) | opcode
    if (length < 65_536) {
      header[1] = 0x80 | 126
      header.writeUInt16BE(length, 2)
    } else {
      header[1] = 0x80 | 127
      header.writeBigUInt64BE(BigInt(length), 2)
    }
  }

  const masked = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]))
  return Buffer.concat([header, mask, masked])
}
