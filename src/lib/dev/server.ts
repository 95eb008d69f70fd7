import {isUtf8} from 'node:buffer'
import {existsSync, readdirSync, rmSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import {join} from 'node:path'

import type {WebSocket, WebSocketServer} from 'ws'

import {WsapiError} from '../errors.js'
import {type Output, silentOutput} from '../output.js'
import {
  exampleMessage,
  type FunctionModel,
  loadProject,
  type ProjectModel,
  removeDevState,
  STATE_DIR,
  writeDevState,
} from '../project/index.js'
import {hostRefusal, isLoopbackAddress, OriginPolicy, servedHosts, visible} from './access.js'
import {authorizerDecision, hasIdentitySources} from './authorizer.js'
import {bundleForDev, type DevBundle} from './bundles.js'
import {type CloseStatus, Connection, ConnectionRegistry} from './connection.js'
import {startLocalDynamo, type LocalDynamo, type LocalTable} from './dynamodb.js'
import {DEFAULT_REGION, functionEnvironment, LOCAL_ACCOUNT_ID, type LocalStack, physicalName, resolveValue} from './environment.js'
import {
  authorizerEvent,
  connectEvent,
  disconnectEvent,
  errorFrame,
  type ErrorFrameMessage,
  type HandshakeRequest,
  messageEvent,
} from './events.js'
import {apiIdFor, newId, traceId} from './ids.js'
import {FrameGuard} from './frame-guard.js'
import {type FunctionCode, FunctionRuntime, type InvokeResult} from './invoker.js'
import {ABNORMAL, CLOSE, LIMITS, NO_STATUS} from './limits.js'
import {DevLog} from './log.js'
import {LAMBDA_API_PATH, LocalLambda} from './lambda-service.js'
import {handleManagementRequest, MANAGEMENT_PATH, MAX_BUFFERED_BYTES} from './management-api.js'
import {chatPage} from './page.js'
import {ACCOUNT_THROTTLE, type RateLimit, TokenBucket} from './rate-limit.js'
import {RouteTable} from './routing.js'
import {linkAwsSdk} from './sdk-links.js'
import {LocalQueues} from './sqs.js'
import {SourceWatcher} from './watcher.js'

export interface DevServerOptions {
  /** Origins (parseAllowedOrigin) whose pages may open the WebSocket besides loopback ones; `*` for all. */
  allowOrigins?: string[]
  /** Wait before the first retry of a failed asynchronous invocation (the second waits twice as long). Default 1 s; AWS: about 1 minute. */
  asyncRetryDelayMs?: number
  /** Environments (worker threads) per function at most; Lambda would scale further. Default 4. */
  concurrency?: number
  /** The account-level throttle on @connections calls; null for none. Default 10,000/s, burst 5,000. */
  connectionsRateLimit?: null | RateLimit
  /** Project folder holding template.yaml. */
  dir: string
  /** Delay added to each DynamoDB call, in ms. */
  dynamodbLatencyMs?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Default 10 minutes. */
  idleTimeoutMs?: number
  /** API Gateway's integration timeout; default 29 s. */
  integrationTimeoutMs?: number
  /** Delay added to each @connections call, in ms. */
  latencyMs?: number
  /** Log each invocation and handler console line (default true). */
  logInvocations?: boolean
  /** Default 2 hours. */
  maxDurationMs?: number
  output?: Output
  /** Template parameter values (`--parameter Key=Value`). */
  parameters?: Record<string, string>
  /** Keep DynamoDB data in this folder. */
  persistDir?: string
  /** Default 3001; 0 picks a free port. */
  port?: number
  /** Default us-east-1. */
  region?: string
  /** Watch sources and reload changed functions (default true). */
  watch?: boolean
  /** Write .wsapi/dev.json so that `wsapi connect` finds the server (default true). */
  writeState?: boolean
}

export interface RouteSummary {
  authorizer?: string
  functionId: string
  key: string
  twoWay: boolean
}

export interface ReloadEvent {
  durationMs: number
  error?: string
  functions: string[]
}

export interface DevServer {
  /** Stops: every connection closed with 1001 and its $disconnect run, then everything else. */
  close(): Promise<void>
  readonly connectionCount: number
  readonly dynamodbEndpoint: string
  readonly host: string
  /** http://host:port: the Lambda (Invoke) and SQS APIs, for AWS_ENDPOINT_URL_LAMBDA / --endpoint-url. */
  readonly localEndpoint: string
  /** http://host:port/stage */
  readonly managementEndpoint: string
  /** Called after each hot reload. */
  onReload?: (event: ReloadEvent) => void
  readonly pageUrl: string
  readonly port: number
  readonly project: string
  readonly routes: RouteSummary[]
  readonly stage: string
  readonly tables: Array<{logicalId: string; name: string}>
  /** ws://host:port/stage */
  readonly url: string
}

type Outcome = InvokeResult | {durationMs: number; ok: false; reason: 'integration-timeout'}

interface FunctionEntry {
  bundle: DevBundle
  model: FunctionModel
  runtime: FunctionRuntime
}

/** Bundles live in .wsapi/dev/<pid>/ (so two servers on one project never delete each other's), SDK links in .wsapi/dev/node_modules. */
const DEV_DIR = join(STATE_DIR, 'dev')

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

function rejectSocket(socket: Socket, status: number, body: string, contentType = 'application/json'): void {
  if (!socket.writable) return void socket.destroy()
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  socket.once('finish', () => socket.destroy())
}

class LocalApiGateway implements DevServer {
  onReload?: (event: ReloadEvent) => void
  readonly registry = new ConnectionRegistry()
  routes: RouteSummary[] = []
  tables: Array<{logicalId: string; name: string}> = []
  private closing?: Promise<void>
  /** The @connections calls' token bucket, and how many it refused since the last log line about it. */
  private readonly connectionsRate?: TokenBucket
  private throttled = {count: 0, loggedAt: 0}
  private lambda?: LocalLambda
  private queues?: LocalQueues
  /** Set once functions and routes are loaded; the port listens before, so that their environment can name it. */
  private started = false
  private readonly disconnects = new Set<Promise<void>>()
  private dynamo?: LocalDynamo
  private readonly functions = new Map<string, FunctionEntry>()
  private readonly handshakes = new WeakMap<IncomingMessage, {connection: Connection; request: HandshakeRequest}>()
  private readonly log: DevLog
  private readonly origins: OriginPolicy
  /** The Host values this server answers to, known once it listens. */
  private served: string[] = []
  private readonly pendingSockets = new Set<Socket>()
  private model!: ProjectModel
  private reloading: Promise<void> = Promise.resolve()
  private routeTable!: RouteTable
  private readonly server: Server
  private stack!: LocalStack
  private stageVariables?: Record<string, string>
  private watcher?: SourceWatcher
  private wss!: WebSocketServer
  private address!: AddressInfo

  constructor(private readonly options: DevServerOptions) {
    this.log = new DevLog(options.output ?? silentOutput, options.logInvocations ?? true)
    this.origins = new OriginPolicy(options.allowOrigins ?? [], () => this.served)
    if (options.connectionsRateLimit !== null) this.connectionsRate = new TokenBucket(options.connectionsRateLimit ?? ACCOUNT_THROTTLE)
    this.server = createServer({noDelay: true}, (request, response) => this.onRequest(request, response))
    this.server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(request, socket, head))
    this.server.on('clientError', (_error, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      socket.destroy()
    })
  }

  get connectionCount(): number {
    return this.registry.open().length
  }

  get dynamodbEndpoint(): string {
    return this.dynamo?.endpoint ?? ''
  }

  get host(): string {
    return urlHost(this.options.host ?? '127.0.0.1')
  }

  get port(): number {
    return this.address.port
  }

  get stage(): string {
    return this.model.stage.name
  }

  get project(): string {
    return this.model.name
  }

  get url(): string {
    return `ws://${this.host}:${this.port}/${this.stage}`
  }

  get managementEndpoint(): string {
    return `http://${this.host}:${this.port}/${this.stage}`
  }

  /** http://host:port: the Lambda and SQS APIs. */
  get localEndpoint(): string {
    return `http://${this.host}:${this.port}`
  }

  get pageUrl(): string {
    return `http://${this.host}:${this.port}/`
  }

  async start(): Promise<void> {
    this.model = loadProject(this.options.dir, {parameters: this.options.parameters})
    await this.listen()
    const listenHost = this.options.host ?? '127.0.0.1'
    this.served = servedHosts(listenHost, this.port)
    if (!isLoopbackAddress(listenHost)) {
      this.log.warn(
        `--host ${listenHost}: the WebSocket API, @connections (which checks that calls are signed, not who signed them) and the chat page are reachable from the network, by anyone who can reach this machine; use it on a network you trust.`,
      )
    }

    try {
      const {WebSocketServer} = await import('ws')
      this.wss = new WebSocketServer({
        clientTracking: false,
        handleProtocols: () => false,
        maxPayload: LIMITS.maxMessageBytes,
        noServer: true,
        perMessageDeflate: false,
        verifyClient: (info: {req: IncomingMessage}, done: (ok: boolean, status?: number, message?: string, headers?: Record<string, string>) => void) =>
          void this.verifyClient(info.req, done),
      })
      // Only the $connect response's Sec-WebSocket-Protocol reaches the client, whatever it asked for.
      this.wss.on('headers', (headers: string[], request: IncomingMessage) => {
        const protocol = this.handshakes.get(request)?.connection.protocol
        if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`)
      })
      this.stack = this.localStack(this.model)
      this.queues = new LocalQueues({accountId: this.stack.accountId, endpoint: this.localEndpoint, region: this.stack.region})
      this.lambda = new LocalLambda({
        endpoint: this.localEndpoint,
        log: this.log,
        queues: this.queues,
        retryDelayMs: this.options.asyncRetryDelayMs ?? 1000,
        run: (logicalId, event, requestId) => {
          const runtime = this.functions.get(logicalId)?.runtime
          if (!runtime) return Promise.resolve({durationMs: 0, error: {errorMessage: `No function ${logicalId}`, errorType: 'ResourceNotFoundException'}, ok: false, reason: 'error'})
          return runtime.invoke(event, requestId)
        },
      })
      this.lambda.configure(this.stack, this.model)
      const dynamo = await startLocalDynamo({
        latencyMs: this.options.dynamodbLatencyMs,
        onRefused: (line) => this.log.warn(line),
        persistDir: this.options.persistDir,
        tables: this.localTables(this.model),
      })
      this.dynamo = dynamo
      linkAwsSdk(join(this.model.dir, DEV_DIR, 'node_modules'), this.model.dir)
      await this.loadFunctions(this.model)
      this.applyRoutes(this.model)
      if (this.options.watch ?? true) {
        this.watcher = new SourceWatcher((files, firstChangeAt) => this.onSourcesChanged(files, firstChangeAt))
        this.watchSources()
      }

      if (this.options.writeState ?? true) {
        writeDevState(this.model.dir, {
          managementEndpoint: this.managementEndpoint,
          pageUrl: this.pageUrl,
          pid: process.pid,
          stage: this.stage,
          startedAt: new Date().toISOString(),
          url: this.url,
        })
      }

      this.started = true
    } catch (error) {
      await this.close()
      throw error
    }
  }

  private async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1'
    const port = this.options.port ?? 3001
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') {
          reject(new WsapiError(`Port ${port} on ${host} is in use: stop what runs there, or pass --port <n> (--port 0 picks a free one).`, {code: 'PORT_IN_USE'}))
        } else if (error.code === 'EACCES') {
          reject(new WsapiError(`Not allowed to listen on port ${port} of ${host}: pick a port above 1023 with --port.`, {code: 'PORT_DENIED'}))
        } else {
          reject(new WsapiError(`Cannot listen on ${host}:${port}: ${error.message}.`, {cause: error, code: 'LISTEN_FAILED'}))
        }
      }

      this.server.once('error', onError)
      // A long backlog: a thousand clients connecting at once must not be refused.
      this.server.listen({backlog: 4096, host, port}, () => {
        this.server.off('error', onError)
        resolve()
      })
    })
    this.address = this.server.address() as AddressInfo
  }

  private localStack(project: ProjectModel): LocalStack {
    const stack: LocalStack = {
      accountId: LOCAL_ACCOUNT_ID,
      apiEndpoint: `ws://${this.host}:${this.port}`,
      apiId: apiIdFor(project.name),
      httpEndpoint: this.localEndpoint,
      parameters: project.parameters,
      region: this.options.region ?? DEFAULT_REGION,
      stackName: `${project.name}-${project.stage.name}`,
      stageName: project.stage.name,
      template: project.template,
    }
    const variables = project.template.Resources[project.stage.logicalId]?.Properties?.StageVariables
    if (variables && typeof variables === 'object') {
      this.stageVariables = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolveValue(stack, value) ?? '']))
    }

    return stack
  }

  private localTables(project: ProjectModel): LocalTable[] {
    const tables = project.tables.map((model) => {
      const properties = project.template.Resources[model.logicalId].Properties ?? {}
      return {
        indexes: {global: properties.GlobalSecondaryIndexes as unknown[] | undefined, local: properties.LocalSecondaryIndexes as unknown[] | undefined},
        model,
        name: physicalName(this.stack, model.logicalId),
      }
    })
    this.tables = tables.map((table) => ({logicalId: table.model.logicalId, name: table.name}))
    return tables
  }

  private functionCode(fn: FunctionModel, bundle: DevBundle): FunctionCode {
    const name = physicalName(this.stack, fn.logicalId)
    return {
      env: functionEnvironment(this.stack, fn, {dynamodbEndpoint: this.dynamo!.endpoint, localEndpoint: this.localEndpoint, managementEndpoint: this.managementEndpoint}),
      setup: {
        functionArn: `arn:aws:lambda:${this.stack.region}:${this.stack.accountId}:function:${name}`,
        functionName: name,
        handlerName: fn.handler.slice(fn.handler.lastIndexOf('.') + 1),
        logGroupName: `/aws/lambda/${name}`,
        logStreamName: `local/[$LATEST]${fn.logicalId}`,
        memorySize: fn.memorySize,
        moduleUrl: bundle.moduleUrl,
      },
      timeoutMs: fn.timeout * 1000,
    }
  }

  private async bundleAll(project: ProjectModel, functions: FunctionModel[]): Promise<Map<string, DevBundle>> {
    const functionsDir = join(project.dir, DEV_DIR, String(process.pid))
    const settled = await Promise.allSettled(functions.map((fn) => bundleForDev(project.dir, fn, functionsDir)))
    const failures = settled.flatMap((outcome, index) => (outcome.status === 'rejected' ? [`${functions[index].logicalId} (${functions[index].codePath}):\n${(outcome.reason as Error).message}`] : []))
    if (failures.length > 0) throw new WsapiError(`Build failed:\n${failures.join('\n')}`, {code: 'BUILD_FAILED'})
    return new Map(settled.map((outcome, index) => [functions[index].logicalId, (outcome as PromiseFulfilledResult<DevBundle>).value]))
  }

  private async loadFunctions(project: ProjectModel): Promise<void> {
    const models = Object.values(project.functions)
    // Environments first: a variable that cannot be resolved is a template error (exit 2), not a build one.
    const codes = new Map(models.map((fn) => [fn.logicalId, fn]))
    for (const fn of models) functionEnvironment(this.stack, fn, {dynamodbEndpoint: '', managementEndpoint: ''})
    const bundles = await this.bundleAll(project, models)
    for (const [logicalId, fn] of codes) {
      const bundle = bundles.get(logicalId)!
      const code = this.functionCode(fn, bundle)
      const existing = this.functions.get(logicalId)
      if (existing) {
        existing.runtime.update(code)
        existing.bundle = bundle
        existing.model = fn
      } else {
        const runtime = new FunctionRuntime(code, {
          concurrency: this.options.concurrency ?? 4,
          onLog: (line, requestId) => this.log.handler(logicalId, line.level, requestId, line.text),
        })
        this.functions.set(logicalId, {bundle, model: fn, runtime})
      }
    }

    for (const [logicalId, entry] of this.functions) {
      if (!codes.has(logicalId)) {
        this.functions.delete(logicalId)
        void entry.runtime.close()
      }
    }
  }

  private applyRoutes(project: ProjectModel): void {
    this.routeTable = new RouteTable(project.routes, project.api.routeSelection)
    this.routes = project.routes.map((route) => ({
      authorizer: route.authorizerId ? project.authorizers.find((authorizer) => authorizer.logicalId === route.authorizerId)?.functionId : undefined,
      functionId: route.functionId,
      key: route.key,
      twoWay: route.twoWay,
    }))
  }

  // ---- hot reload -------------------------------------------------------------------------------

  private watchSources(): void {
    const files = new Set([this.model.templatePath])
    for (const entry of this.functions.values()) for (const input of entry.bundle.inputs) files.add(input)
    this.watcher?.set(files)
  }

  private onSourcesChanged(files: Set<string>, firstChangeAt: number): void {
    this.reloading = this.reloading.then(() => this.reload(files, firstChangeAt)).catch(() => {})
  }

  private async reload(files: Set<string>, firstChangeAt: number): Promise<void> {
    if (this.closing) return
    let names: string[] = []
    try {
      if (files.has(this.model.templatePath)) {
        const project = loadProject(this.options.dir, {parameters: this.options.parameters})
        if (project.stage.name !== this.model.stage.name) this.log.warn(`The stage changed to ${project.stage.name}; restart wsapi dev to serve it (still serving ${this.stage}).`)
        project.stage = this.model.stage
        this.model = project
        this.stack = {...this.localStack(project), stageName: this.stack.stageName}
        this.lambda!.configure(this.stack, project)
        await this.loadFunctions(project)
        this.applyRoutes(project)
        names = ['template.yaml']
      } else {
        const affected = [...this.functions.values()].filter((entry) => entry.bundle.inputs.some((input) => files.has(input))).map((entry) => entry.model)
        if (affected.length === 0) return
        const bundles = await this.bundleAll(this.model, affected)
        for (const fn of affected) {
          const entry = this.functions.get(fn.logicalId)!
          entry.bundle = bundles.get(fn.logicalId)!
          entry.runtime.update(this.functionCode(fn, entry.bundle))
        }

        names = affected.map((fn) => fn.logicalId)
      }

      // Live means loaded: start one environment with the new code before saying so.
      await Promise.all([...this.functions.values()].filter((entry) => names.includes('template.yaml') || names.includes(entry.model.logicalId)).map((entry) => entry.runtime.warm()))
      const durationMs = performance.now() - firstChangeAt
      this.log.success(`Reloaded ${names.join(', ')} in ${Math.round(durationMs)} ms`)
      this.onReload?.({durationMs, functions: names})
    } catch (error) {
      const message = (error as Error).message
      this.log.error(`Reload failed, still running the previous code:\n${message}`)
      this.onReload?.({durationMs: performance.now() - firstChangeAt, error: message, functions: names})
    } finally {
      this.watchSources()
    }
  }

  // ---- invocations ------------------------------------------------------------------------------

  private invoke(functionId: string, event: unknown, requestId: string, integrationTimeout: boolean): Promise<Outcome> {
    const runtime = this.functions.get(functionId)?.runtime
    if (!runtime) return Promise.resolve({durationMs: 0, error: {errorMessage: `No function ${functionId}`, errorType: 'ResourceNotFoundException'}, ok: false, reason: 'error'})
    const invocation = runtime.invoke(JSON.stringify(event), requestId)
    if (!integrationTimeout) return invocation
    const limit = this.options.integrationTimeoutMs ?? LIMITS.integrationTimeoutMs
    let timer: NodeJS.Timeout
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({durationMs: limit, ok: false, reason: 'integration-timeout'}), limit)
    })
    return Promise.race([invocation.finally(() => clearTimeout(timer)), timeout])
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '/'
    const query = url.indexOf('?')
    const path = query === -1 ? url : url.slice(0, query)
    const foreignHost = hostRefusal(request.headers.host, this.served)
    if (foreignHost) {
      this.log.warn(`Refused ${visible(request.method ?? 'GET')} ${visible(path)} with ${foreignHost}`)
      request.resume()
      response.writeHead(403, {'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException'})
      response.end('{"message":"Forbidden"}')
      return
    }

    if (LAMBDA_API_PATH.test(path) || (request.method === 'POST' && String(request.headers['x-amz-target']).startsWith('AmazonSQS.'))) {
      const refused = (reason: string) => this.log.warn(`Refused ${visible(request.method ?? 'GET')} ${visible(path)} ${reason}`)
      if (!this.lambda || !this.queues) {
        request.resume()
        response.writeHead(503, {'Content-Type': 'application/json'})
        response.end('{"message":"Service Unavailable"}')
      } else if (LAMBDA_API_PATH.test(path)) this.lambda.handle(request, response, path)
      else this.queues.handleHttp(request, response, refused)
      return
    }

    const management = MANAGEMENT_PATH.exec(path)
    if (management) {
      handleManagementRequest(
        {
          latencyMs: this.options.latencyMs ?? 0,
          onDelete: (connection) => this.serverClose(connection, CLOSE.deleted),
          onPost: (connection, data) => this.post(connection, data),
          onRefused: (reason) => this.log.warn(`Refused ${visible(request.method ?? 'GET')} ${visible(path)} ${reason}`),
          rateLimit: this.connectionsRate && {take: () => this.takeConnectionsToken()},
          registry: this.registry,
          stage: this.stage,
        },
        request,
        response,
        management,
      )
      return
    }

    request.resume()
    if (path === `/${this.stage}` || path === `/${this.stage}/`) {
      // The WebSocket URL opened as a web page: API Gateway answers 426.
      response.writeHead(426, {'Content-Type': 'text/plain', Upgrade: 'websocket'})
      response.end('Upgrade Required: connect with a WebSocket client, e.g. wsapi connect or wscat.\n')
      return
    }

    if (path === '/' && (request.method === 'GET' || request.method === 'HEAD')) {
      const route = this.model.routes.find((candidate) => !candidate.key.startsWith('$'))?.key
      const html = chatPage({
        message: route ? exampleMessage(this.model.api.routeSelection, route, {data: ''}) : undefined,
        project: this.model.name,
        route,
        stage: this.stage,
      })
      response.writeHead(200, {'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(html), 'Content-Type': 'text/html; charset=utf-8'})
      response.end(request.method === 'HEAD' ? undefined : html)
      return
    }

    response.writeHead(403, {'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException'})
    response.end('{"message":"Forbidden"}')
  }

  /** One @connections call against the account's rate; refusals are logged at most once a second. */
  private takeConnectionsToken(): boolean {
    if (this.connectionsRate!.take()) return true
    this.throttled.count += 1
    const now = Date.now()
    if (now - this.throttled.loggedAt >= 1000) {
      const {burst, ratePerSecond} = this.connectionsRate!.limit
      this.log.warn(
        `@connections: ${this.throttled.count} call${this.throttled.count === 1 ? '' : 's'} throttled (429 LimitExceededException) over the account rate of ${ratePerSecond}/s, burst ${burst} (--connections-rate-limit, --connections-burst-limit)`,
      )
      this.throttled = {count: 0, loggedAt: now}
    }

    return false
  }

  // ---- handshake --------------------------------------------------------------------------------

  private onUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy())
    const url = request.url ?? '/'
    const foreignHost = hostRefusal(request.headers.host, this.served)
    if (foreignHost) {
      this.log.warn(`Refused a WebSocket connection to ${visible(url)} with ${foreignHost}`)
      return rejectSocket(socket, 403, '{"message":"Forbidden"}')
    }

    const foreignOrigin = this.origins.refusal(request.headers.origin)
    if (foreignOrigin) {
      this.log.warn(`Refused a WebSocket connection from ${foreignOrigin}`)
      return rejectSocket(socket, 403, '{"message":"Forbidden"}')
    }

    // A client retrying while the server starts (or stops) is told to come back, not run against half-loaded routes.
    if (this.closing || !this.started) return rejectSocket(socket, 503, '{"message":"Service Unavailable"}')
    if (url.length > LIMITS.maxUrlLength) return rejectSocket(socket, 414, '{"message":"Request-URI Too Long"}')
    const queryStart = url.indexOf('?')
    const path = queryStart === -1 ? url : url.slice(0, queryStart)
    if (path !== `/${this.stage}` && path !== `/${this.stage}/`) {
      this.log.warn(`Refused a connection to ${path}: the WebSocket URL is ${this.url}`)
      return rejectSocket(socket, 403, '{"message":"Forbidden"}')
    }

    const connectedAt = Date.now()
    const sourceIp = (socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '')
    const userAgent = request.headers['user-agent']
    const connection = new Connection({
      apiId: this.stack.apiId,
      connectedAt,
      connectionId: newId(connectedAt),
      domainName: request.headers.host ?? `${this.host}:${this.port}`,
      sourceIp,
      stage: this.stage,
      stageVariables: this.stageVariables,
      userAgent,
    })
    connection.socket = socket
    // The headers API Gateway adds in front of the client's.
    const forwardedFor = request.headers['x-forwarded-for']
    const rawHeaders = request.rawHeaders.filter((_, index, all) => !/^x-forwarded-for$/i.test(all[index - (index % 2)]))
    rawHeaders.push(
      'X-Amzn-Trace-Id',
      traceId(connectedAt),
      'X-Forwarded-For',
      forwardedFor ? `${String(forwardedFor)}, ${sourceIp}` : sourceIp,
      'X-Forwarded-Port',
      String(this.port),
      'X-Forwarded-Proto',
      'http',
    )
    this.handshakes.set(request, {connection, request: {query: queryStart === -1 ? undefined : url.slice(queryStart + 1), rawHeaders}})
    this.pendingSockets.add(socket)
    socket.once('close', () => this.pendingSockets.delete(socket))
    this.wss.handleUpgrade(request, socket, head, (ws: WebSocket) => this.onOpen(connection, ws, socket))
  }

  private async verifyClient(request: IncomingMessage, done: (ok: boolean, status?: number, message?: string, headers?: Record<string, string>) => void): Promise<void> {
    const handshake = this.handshakes.get(request)!
    const {connection} = handshake
    this.registry.add(connection)
    let result: {protocol?: string; status: number}
    try {
      result = await this.handshake(connection, handshake.request)
    } catch (error) {
      this.log.error(`$connect failed: ${(error as Error).stack}`)
      result = {status: 502}
    }

    if (result.status >= 200 && result.status < 300 && !this.closing) {
      connection.protocol = result.protocol
      done(true)
      if (connection.state === 'pending') this.registry.delete(connection) // the client left during $connect
      return
    }

    this.registry.delete(connection)
    connection.state = 'closed'
    const status = this.closing ? 503 : result.status
    const body = status === 502 ? '{"message": "Internal server error"}' : status === 401 ? '{"message":"Unauthorized"}' : status === 403 ? '{"message":"Forbidden"}' : STATUS_CODES[status] ?? ''
    // Written here, not through ws's done(false): ws throws (and the server dies) on a status Node has no reason phrase for, such as 599.
    rejectSocket(connection.socket!, status, body, body.startsWith('{') ? 'application/json' : 'text/plain')
  }

  /** Authorizer, then $connect: the HTTP status the handshake gets, and the subprotocol to answer with. */
  private async handshake(connection: Connection, request: HandshakeRequest): Promise<{protocol?: string; status: number}> {
    const connectRoute = this.routeTable.connect
    const authorizer = connectRoute?.authorizerId ? this.model.authorizers.find((candidate) => candidate.logicalId === connectRoute.authorizerId) : undefined
    if (authorizer) {
      const event = authorizerEvent(connection.identity, request, {accountId: this.stack.accountId, region: this.stack.region})
      if (!hasIdentitySources(authorizer.identitySources, event.headers ?? {}, event.queryStringParameters)) {
        this.log.invocation({connectionId: connection.id, functionId: authorizer.functionId, route: '$connect', status: `401 (no ${authorizer.identitySources.join(', ')})`})
        return {status: 401}
      }

      const outcome = await this.invoke(authorizer.functionId, event, event.requestContext.requestId, true)
      const decision = outcome.ok || outcome.reason !== 'integration-timeout' ? authorizerDecision(outcome as InvokeResult, event.methodArn, outcome.durationMs) : undefined
      const status = decision === undefined ? 500 : decision.allowed ? 'Allow' : decision.status
      this.log.invocation({
        connectionId: connection.id,
        durationMs: outcome.durationMs,
        error: !outcome.ok && outcome.reason !== 'integration-timeout' && outcome.error.errorMessage !== 'Unauthorized' ? outcome.error : undefined,
        functionId: authorizer.functionId,
        route: 'authorizer',
        status: decision && !decision.allowed ? `${status} (${decision.reason})` : status,
      })
      if (!decision?.allowed) return {status: decision?.status ?? 500}
      connection.identity.authorizer = decision.context
    }

    if (!connectRoute) return {status: 200}
    const event = connectEvent(connection.identity, request)
    const outcome = await this.invoke(connectRoute.functionId, event, event.requestContext.requestId, true)
    let status: number
    let protocol: string | undefined
    if (!outcome.ok) status = outcome.reason === 'integration-timeout' ? 504 : 502
    else {
      const payload = outcome.payload as {headers?: Record<string, unknown>; multiValueHeaders?: Record<string, unknown[]>; statusCode?: unknown} | null
      const code = payload !== null && typeof payload === 'object' ? payload.statusCode : undefined
      // A response without an integer final status (1xx is not one) is malformed: API Gateway answers 502.
      status = Number.isInteger(code) && (code as number) >= 200 && (code as number) <= 599 ? (code as number) : 502
      const header = (headers: Record<string, unknown> | undefined) => Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1]
      const value = header(payload?.headers ?? undefined) ?? (header(payload?.multiValueHeaders ?? undefined) as unknown[] | undefined)?.[0]
      if (typeof value === 'string' && value !== '') protocol = value
    }

    this.log.invocation({
      connectionId: connection.id,
      durationMs: outcome.durationMs,
      error: outcome.ok ? undefined : outcome.reason === 'integration-timeout' ? {errorMessage: 'Endpoint request timed out', errorType: 'IntegrationTimeout'} : outcome.error,
      functionId: connectRoute.functionId,
      route: '$connect',
      status,
    })
    return {protocol, status}
  }

  // ---- open connections -------------------------------------------------------------------------

  private onOpen(connection: Connection, ws: WebSocket, socket: Socket): void {
    this.pendingSockets.delete(socket)
    connection.ws = ws
    connection.state = 'open'
    this.registry.add(connection)
    const guard = new FrameGuard((kind) => {
      if (connection.state !== 'open') return
      this.log.warn(`${connection.id}: ${kind === 'frame' ? `a frame over ${LIMITS.maxFrameBytes}` : `a message over ${LIMITS.maxMessageBytes}`} bytes; closing with 1009`)
      this.serverClose(connection, CLOSE.tooBig)
    })
    // Before ws reads the bytes, so that an oversized frame is refused from its header on.
    socket.prependListener('data', (chunk: Buffer) => guard.push(chunk))
    // A protocol error: ws closes the connection itself (1002, 1007, 1009); $disconnect reports the close it sent.
    ws.on('error', (error: Error) => {
      const code = protocolErrorCode(error)
      if (code === undefined || connection.state !== 'open') return
      this.log.warn(`${connection.id}: ${error.message}; closing with ${code}`)
      connection.state = 'closing'
      connection.closedBy = {code, reason: ''}
    })
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(connection, data, isBinary))
    ws.on('close', (code: number, reason: Buffer) => this.onClose(connection, code, reason))
    const idleTimeoutMs = this.options.idleTimeoutMs ?? LIMITS.idleTimeoutMs
    const maxDurationMs = this.options.maxDurationMs ?? LIMITS.maxDurationMs
    connection.timers.push(
      setTimeout(() => this.serverClose(connection, CLOSE.goingAway), idleTimeoutMs),
      setTimeout(() => this.serverClose(connection, CLOSE.goingAway), Math.max(0, connection.identity.connectedAt + maxDurationMs - Date.now())),
    )
  }

  /** Data moved in either direction: the idle timer starts again. */
  private touch(connection: Connection): void {
    connection.lastActiveAt = Date.now()
    connection.timers[0]?.refresh()
  }

  private send(connection: Connection, data: Buffer | string): void {
    if (connection.state !== 'open') return
    // A text frame must hold UTF-8 (RFC 6455 §8.1; clients close with 1007 otherwise): other posted bytes go as a binary frame.
    connection.ws!.send(data, {binary: typeof data !== 'string' && !isUtf8(data)})
    this.touch(connection)
  }

  private post(connection: Connection, data: Buffer): boolean {
    if (connection.ws!.bufferedAmount > MAX_BUFFERED_BYTES) return false
    this.send(connection, data)
    return true
  }

  private onMessage(connection: Connection, data: Buffer, isBinary: boolean): void {
    if (connection.state !== 'open') return
    if (isBinary) {
      this.log.warn(`${connection.id}: a binary frame; closing with 1003 (API Gateway accepts text frames only)`)
      this.serverClose(connection, CLOSE.unsupportedData)
      return
    }

    this.touch(connection)
    const body = data.toString('utf8')
    const now = Date.now()
    const requestId = newId(now)
    const {route, selected} = this.routeTable.select(body)
    if (!route) {
      this.send(connection, errorFrame('Forbidden', connection.id, requestId))
      this.log.invocation({connectionId: connection.id, route: selected === undefined ? '(not JSON)' : JSON.stringify(selected), status: 'Forbidden (no route and no $default)'})
      return
    }

    const event = messageEvent(connection.identity, route.key, body, {now, requestId})
    void this.invoke(route.functionId, event, requestId, true).then((outcome) => {
      let frame: ErrorFrameMessage | undefined
      let status: number | string
      if (outcome.ok) {
        const payload = outcome.payload as {body?: unknown; statusCode?: unknown} | null
        status = statusOf(payload)
        if (route.twoWay) {
          if (payload === null || typeof payload !== 'object' || (payload.body !== undefined && typeof payload.body !== 'string')) {
            frame = 'Internal server error'
            status = 'malformed Lambda proxy response'
          } else {
            this.send(connection, (payload.body as string | undefined) ?? '')
          }
        }
      } else {
        frame = outcome.reason === 'integration-timeout' ? 'Endpoint request timed out' : 'Internal server error'
        status = frame
      }

      if (frame) this.send(connection, errorFrame(frame, connection.id, requestId))
      this.log.invocation({
        connectionId: connection.id,
        durationMs: outcome.durationMs,
        error: !outcome.ok && outcome.reason !== 'integration-timeout' ? outcome.error : undefined,
        functionId: route.functionId,
        route: route.key,
        status,
      })
    })
  }

  /** Closes from the server side; $disconnect reports `status`. */
  serverClose(connection: Connection, status: CloseStatus): void {
    if (connection.state !== 'open') return
    connection.state = 'closing'
    connection.closedBy = status
    connection.ws!.close(status.code, status.reason)
    // A client that never answers the close frame is cut off.
    const cutOff = setTimeout(() => connection.ws!.terminate(), 2000)
    cutOff.unref()
    connection.timers.push(cutOff)
  }

  private onClose(connection: Connection, code: number, reason: Buffer): void {
    const wasOpen = connection.state === 'open' || connection.state === 'closing'
    for (const timer of connection.timers) clearTimeout(timer)
    connection.timers = []
    connection.state = 'closed'
    this.registry.delete(connection)
    if (!wasOpen) return
    const status = connection.closedBy ?? (code === 1005 ? NO_STATUS : code === 1006 ? ABNORMAL : {code, reason: reason.toString('utf8')})
    this.fireDisconnect(connection, status)
  }

  /** Best effort and at most once, as in API Gateway: a failure is logged and touches nothing else. */
  private fireDisconnect(connection: Connection, status: CloseStatus): void {
    if (connection.disconnected) return
    connection.disconnected = true
    const route = this.routeTable.disconnect
    if (!route) return
    const event = disconnectEvent(connection.identity, status)
    const done = this.invoke(route.functionId, event, event.requestContext.requestId, false).then((outcome) => {
      this.log.invocation({
        connectionId: connection.id,
        durationMs: outcome.durationMs,
        error: outcome.ok ? undefined : (outcome as Extract<InvokeResult, {ok: false}>).error,
        functionId: route.functionId,
        note: `(${`${status.code} ${status.reason}`.trim()})`,
        route: '$disconnect',
        status: outcome.ok ? statusOf(outcome.payload) : 'failed',
      })
    })
    this.disconnects.add(done)
    void done.finally(() => this.disconnects.delete(done))
  }

  // ---- shutdown ---------------------------------------------------------------------------------

  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    this.watcher?.close()
    const stopped = new Promise<void>((resolve) => (this.server.listening ? this.server.close(() => resolve()) : resolve()))
    for (const socket of this.pendingSockets) socket.destroy()
    const open = this.registry.open()
    const closed = open.map((connection) => new Promise<void>((resolve) => connection.ws!.once('close', () => resolve())))
    for (const connection of open) this.serverClose(connection, CLOSE.goingAway)
    await Promise.race([Promise.all(closed), delay(3000)])
    // $disconnect of every connection, within reason: it is best effort in AWS too.
    await Promise.race([Promise.all([...this.disconnects]), delay(10_000)])
    this.queues?.close()
    const asyncDone = this.lambda?.close()
    await Promise.all([...this.functions.values()].map((entry) => entry.runtime.close()))
    await asyncDone
    this.server.closeAllConnections()
    await stopped
    await this.dynamo?.close()
    if (this.model) {
      if (this.options.writeState ?? true) removeDevState(this.model.dir)
      rmSync(join(this.model.dir, DEV_DIR, String(process.pid)), {force: true, recursive: true})
      // The SDK links go with the last server of the project.
      const devDir = join(this.model.dir, DEV_DIR)
      if (existsSync(devDir) && readdirSync(devDir).every((name) => name === 'node_modules')) rmSync(devDir, {force: true, recursive: true})
    }
  }
}

/** The close code ws sends for a client's protocol error (it keeps it under a symbol of its own). */
function protocolErrorCode(error: Error): number | undefined {
  const key = Object.getOwnPropertySymbols(error).find((symbol) => symbol.description === 'status-code')
  const code: unknown = key === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[key]
  return typeof code === 'number' ? code : undefined
}

/** The statusCode a handler returned, for the log. */
function statusOf(payload: unknown): number | string {
  const code = payload !== null && typeof payload === 'object' ? (payload as {statusCode?: unknown}).statusCode : undefined
  return typeof code === 'number' ? code : 'ok'
}

const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref()
  })

/** Starts the local API Gateway for the project in `options.dir`; resolves once it accepts connections. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const server = new LocalApiGateway(options)
  await server.start()
  return server
}
