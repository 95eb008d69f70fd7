import {createServer, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import {join, resolve} from 'node:path'

import {API_GATEWAY_LIMITS as LIMITS} from '../apigw/limits.js'
import {parameterProblem, templateParameters} from '../deploy/parameters.js'
import {UsageError} from '../errors.js'
import {silentOutput} from '../output.js'
import {type FunctionModel, loadProject, type ProjectModel} from '../project/index.js'
import {isLoopbackAddress, OriginPolicy, servedHosts} from './access.js'
import type {DevBundle} from './bundles.js'
import {ConnectionRegistry} from './connection.js'
import {ConnectionsRateGate} from './connections-rate.js'
import {removeServerFiles, sdkLinksDir, serverDir, writeServerRecord} from './dev-files.js'
import {startLocalDynamo, type LocalDynamo, type LocalTable} from './dynamodb.js'
import {emulatedStack, localTables, routeSummaries} from './emulated-stack.js'
import {type EmulatedStack, functionEnvironment} from './environment.js'
import type {FunctionCode} from './invoker.js'
import {functionCode, FunctionHost} from './functions.js'
import {Handshakes} from './handshake.js'
import {HotReload} from './hot-reload.js'
import {DevHttp} from './http.js'
import {DevLog, DevLogFile, devLogPath} from './log.js'
import {LocalLambda} from './lambda-service.js'
import {JWKS_PATH, jwtAuthMetadata, LOCAL_ISSUER, LocalIssuer, type LocalIssuerInfo} from './local-issuer.js'
import {listen, urlHost} from './listen.js'
import {OpenConnections} from './open-connections.js'
import {claimPersistDir} from './persist.js'
import {RouteTable} from './routing.js'
import {linkAwsSdk} from './sdk-links.js'
import {LOCAL_CALLER} from './iam.js'
import {StageThrottle} from './throttle.js'
import {type LocalSecret, loadLocalSecrets} from './secrets-manager.js'
import {ACCOUNT_THROTTLE, TokenBucket} from './rate-limit.js'
import type {
  DevServer,
  DevServerOptions,
  GatewayContext,
  ReloadEvent,
  RouteSummary,
  SecretSummary,
} from './server-types.js'
import {LocalQueues} from './sqs.js'

export type {DevServer, DevServerOptions, ReloadEvent, RouteSummary, SecretSummary} from './server-types.js'

/**
 * The local API Gateway: starts, listens and stops, and holds what its parts share (the project, the stack identity
 * CloudFormation would give it, the routes). The upgrade is handshake.ts's, open connections open-connections.ts's,
 * the HTTP side http.ts's, the functions functions.ts's and hot reload hot-reload.ts's.
 */
class LocalApiGateway implements DevServer, GatewayContext {
  readonly functions: FunctionHost
  issuer?: LocalIssuer
  lambda?: LocalLambda
  readonly log: DevLog
  model!: ProjectModel
  onReload?: (event: ReloadEvent) => void
  queues?: LocalQueues
  readonly registry = new ConnectionRegistry()
  routes: RouteSummary[] = []
  routeTable!: RouteTable
  secrets: LocalSecret[] = []
  /** The Host values this server answers to, known once it listens. */
  served: string[] = []
  stack!: EmulatedStack
  stageVariables?: Record<string, string>
  tables: Array<{logicalId: string; name: string}> = []
  throttle!: StageThrottle
  private address!: AddressInfo
  private readonly connections: OpenConnections
  /** The account's throttle on @connections calls; none with connectionsRateLimit null. */
  private readonly connectionsRate?: ConnectionsRateGate
  private dynamo?: LocalDynamo
  private readonly handshakes: Handshakes
  private hotReload?: HotReload
  private persist?: {release(): void}
  private readonly server: Server
  /** Set once functions and routes are loaded; the port listens before, so that their environment can name it. */
  private started = false
  private stopping?: Promise<void>

  constructor(readonly options: DevServerOptions) {
    this.log = new DevLog(
      options.output ?? silentOutput,
      options.logInvocations ?? true,
      (options.writeState ?? true) ? new DevLogFile(devLogPath(resolve(options.dir))) : undefined,
    )
    this.functions = new FunctionHost({
      bundleDir: serverDir(resolve(options.dir)),
      codeOf: (fn, bundle) => this.functionCode(fn, bundle),
      concurrency: options.concurrency ?? 4,
      integrationTimeoutMs: options.integrationTimeoutMs ?? LIMITS.integrationTimeoutMs,
      log: this.log,
      maxWaiting: options.queue,
    })
    this.connections = new OpenConnections(this)
    const origins = new OriginPolicy(options.allowOrigins ?? [], () => this.served)
    this.handshakes = new Handshakes(this, origins, this.connections)
    if (options.connectionsRateLimit !== null) {
      const bucket = new TokenBucket(options.connectionsRateLimit ?? ACCOUNT_THROTTLE)
      this.connectionsRate = new ConnectionsRateGate(bucket, (line) => this.log.warn(line))
    }

    const http = new DevHttp(this, this.connections, this.connectionsRate)
    this.server = createServer({noDelay: true}, (request, response) => http.handle(request, response))
    this.server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) =>
      this.handshakes.onUpgrade(request, socket, head),
    )
    this.server.on('clientError', (_error, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      socket.destroy()
    })
  }

  get accepting(): boolean {
    return this.started && !this.stopping
  }

  /** Set once close() is called: hot reload stops reloading. */
  get closing(): boolean {
    return this.stopping !== undefined
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

  /** http://host:port: GetSecretValue of the template's secrets. */
  get secretsManagerEndpoint(): string {
    return `http://${this.host}:${this.port}`
  }

  get secretSummaries(): SecretSummary[] {
    return this.secrets.map((secret) => ({generated: secret.generated, logicalId: secret.logicalId, name: secret.name}))
  }

  /** http://host:port: the Lambda and SQS APIs. */
  get localEndpoint(): string {
    return `http://${this.host}:${this.port}`
  }

  get pageUrl(): string {
    return `http://${this.host}:${this.port}/`
  }

  get iamCaller(): {accessKeyId: string; userArn: string} | undefined {
    return this.model.routes.some((route) => route.iam)
      ? {accessKeyId: LOCAL_CALLER.accessKeyId, userArn: LOCAL_CALLER.userArn}
      : undefined
  }

  get localIssuer(): LocalIssuerInfo | undefined {
    const jwt = jwtAuthMetadata(this.model.template)
    if (!this.issuer || !jwt || this.model.parameters[jwt.issuerParameter] !== LOCAL_ISSUER) return undefined
    const issuer = this.issuerUrl
    return {
      audience: this.model.parameters[jwt.audienceParameter] ?? '',
      issuer,
      jwksUrl: `${issuer}${JWKS_PATH}`,
      keyFile: join(serverDir(this.model.dir), 'issuer-key.pem'),
      keyId: this.issuer.keyId,
    }
  }

  get issuerUrl(): string {
    return `http://${this.host}:${this.port}`
  }

  /** The template's parameters, with the JWT issuer pointed at this server when it is `local`. */
  private localParameters(project: ProjectModel): Record<string, string> {
    const jwt = jwtAuthMetadata(project.template)
    if (!jwt || project.parameters[jwt.issuerParameter] !== LOCAL_ISSUER) return project.parameters
    this.issuer ??= new LocalIssuer()
    return {...project.parameters, [jwt.issuerParameter]: this.issuerUrl}
  }

  // ---- start ------------------------------------------------------------------------------------

  async start(): Promise<void> {
    this.model = loadProject(this.options.dir, {
      environmentParameters: this.options.environmentParameters,
      parameters: this.options.parameters,
    })
    checkParameterValues(this.model, this.options.parameters ?? {})
    if (this.options.persistDir) this.persist = await claimPersistDir(this.options.persistDir)
    try {
      this.address = await listen(this.server, this.options.host ?? '127.0.0.1', this.options.port ?? 3001)
    } catch (error) {
      this.persist?.release()
      throw error
    }

    const listenHost = this.options.host ?? '127.0.0.1'
    this.served = servedHosts(listenHost, this.port)
    if (!isLoopbackAddress(listenHost)) {
      this.log.warn(
        `--host ${listenHost}: the WebSocket API, @connections (which checks that calls are signed, not who signed them) and the chat page are reachable from the network, by anyone who can reach this machine; use it on a network you trust.`,
      )
    }

    try {
      await this.handshakes.createWebSocketServer()
      this.stack = this.stackIdentity(this.model)
      this.secrets = loadLocalSecrets(this.stack, this.model.dir)
      this.queues = new LocalQueues({
        accountId: this.stack.accountId,
        endpoint: this.localEndpoint,
        region: this.stack.region,
      })
      this.lambda = new LocalLambda({
        endpoint: this.localEndpoint,
        log: this.log,
        queues: this.queues,
        retryDelayMs: this.options.asyncRetryDelayMs ?? 1000,
        run: (logicalId, event, requestId) => this.functions.run(logicalId, event, requestId),
      })
      this.lambda.configure(this.stack, this.model)
      this.dynamo = await startLocalDynamo({
        latencyMs: this.options.dynamodbLatencyMs,
        onRefused: (line) => this.log.warn(line),
        persistDir: this.options.persistDir,
        tables: this.localTables(),
      })
      linkAwsSdk(sdkLinksDir(this.model.dir), this.model.dir)
      await this.loadFunctions(this.model)
      this.applyRoutes(this.model)
      if (this.options.watch ?? true) this.hotReload = new HotReload(this)
      if (this.options.writeState ?? true) {
        writeServerRecord(this.model.dir, this, {
          integrationTimeoutMs: this.options.integrationTimeoutMs ?? LIMITS.integrationTimeoutMs,
          issuer: this.issuer,
          region: this.stack.region,
        })
      }

      this.started = true
    } catch (error) {
      await this.close()
      throw error
    }
  }

  // ---- the project: stack identity, tables, functions, routes -----------------------------------

  /** The stack identity for a project; the stage variables are kept when the stage sets none. */
  private stackIdentity(project: ProjectModel): EmulatedStack {
    const {stack, stageVariables} = emulatedStack(project, {
      apiEndpoint: `ws://${this.host}:${this.port}`,
      httpEndpoint: this.localEndpoint,
      parameters: this.localParameters(project),
      region: this.options.region,
    })
    if (stageVariables) this.stageVariables = stageVariables
    return stack
  }

  private localTables(): LocalTable[] {
    const tables = localTables(this.stack, this.model)
    this.tables = tables.map((table) => ({logicalId: table.model.logicalId, name: table.name}))
    return tables
  }

  private functionCode(fn: FunctionModel, bundle: DevBundle): FunctionCode {
    const endpoints = {
      dynamodbEndpoint: this.dynamo!.endpoint,
      localEndpoint: this.localEndpoint,
      managementEndpoint: this.managementEndpoint,
      secretsManagerEndpoint: this.secretsManagerEndpoint,
    }
    const authorizer = this.model.authorizers.some((candidate) => candidate.functionId === fn.logicalId)
    const jwks = this.issuer && this.localIssuer && authorizer ? this.issuer.jwks : undefined
    return functionCode(this.stack, fn, bundle, endpoints, jwks)
  }

  private async loadFunctions(project: ProjectModel): Promise<void> {
    // Environments first: a variable that cannot be resolved is a template error (exit 2), not a build one.
    for (const fn of Object.values(project.functions))
      functionEnvironment(this.stack, fn, {dynamodbEndpoint: '', managementEndpoint: '', secretsManagerEndpoint: ''})
    await this.functions.load(project)
  }

  private applyRoutes(project: ProjectModel): void {
    this.routeTable = new RouteTable(project.routes, project.api.routeSelection)
    this.throttle = new StageThrottle(project.throttling)
    this.routes = routeSummaries(project)
  }

  // ---- hot reload (hot-reload.ts watches and reports; the template is reloaded here) --------------

  get projectDir(): string {
    return this.model.dir
  }

  get templatePath(): string {
    return this.model.templatePath
  }

  async reloadTemplate(): Promise<void> {
    const project = loadProject(this.options.dir, {
      environmentParameters: this.options.environmentParameters,
      parameters: this.options.parameters,
    })
    if (project.stage.name !== this.model.stage.name)
      this.log.warn(
        `The stage changed to ${project.stage.name}; restart wsapi dev to serve it (still serving ${this.stage}).`,
      )
    project.stage = this.model.stage
    const stack = {...this.stackIdentity(project), stageName: this.stack.stageName}
    // First: a secret the new template cannot resolve leaves the previous template in place.
    this.secrets = loadLocalSecrets(stack, project.dir)
    this.model = project
    this.stack = stack
    this.lambda!.configure(this.stack, project)
    await this.loadFunctions(project)
    this.applyRoutes(project)
  }

  // ---- shutdown ---------------------------------------------------------------------------------

  close(): Promise<void> {
    this.stopping ??= this.shutdown()
    return this.stopping
  }

  private async shutdown(): Promise<void> {
    this.hotReload?.close()
    const stopped = new Promise<void>((resolve) =>
      this.server.listening ? this.server.close(() => resolve()) : resolve(),
    )
    this.handshakes.destroyPending()
    // Every connection closed with 1001, and its $disconnect run, within reason: it is best effort in AWS too.
    await this.connections.closeAll()
    this.connectionsRate?.close()
    this.queues?.close()
    const asyncDone = this.lambda?.close()
    await this.functions.close()
    await asyncDone
    this.server.closeAllConnections()
    await stopped
    await this.dynamo?.close()
    await this.log.close()
    this.persist?.release()
    if (this.model) removeServerFiles(this.model.dir, this.options.writeState ?? true)
  }
}

/** `--parameter` values against the template's constraints (MinLength, AllowedPattern…), as `wsapi deploy` checks them. */
export function checkParameterValues(project: ProjectModel, given: Record<string, string>): void {
  const declared = templateParameters(project.template)
  for (const [key, value] of Object.entries(given)) {
    const parameter = declared.find((candidate) => candidate.key === key)
    const problem = parameter && parameterProblem(parameter, value)
    if (problem) throw new UsageError(`Invalid --parameter ${problem}.`, {code: 'INVALID_PARAMETER'})
  }
}

/** Starts the local API Gateway for the project in `options.dir`; resolves once it accepts connections. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const server = new LocalApiGateway(options)
  await server.start()
  return server
}
