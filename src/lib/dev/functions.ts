import {WsapiError} from '../errors.js'
import type {FunctionModel, ProjectModel} from '../project/index.js'
import {bundleForDev, type DevBundle} from './bundles.js'
import {type EmulatedStack, functionEnvironment, physicalName, type RuntimeEnvironmentOptions} from './environment.js'
import type {WorkerError} from './function-worker.js'
import {type FunctionCode, FunctionRuntime, type InvokeResult} from './invoker.js'
import type {DevLog} from './log.js'

// The template's functions as wsapi dev runs them: bundled, given the environment Lambda would give them, loaded into
// worker environments, invoked (with API Gateway's integration timeout), and swapped for new code on reload.

/** An invocation's result, or API Gateway giving up on it first (the integration timeout). */
export type Outcome = InvokeResult | {durationMs: number; ok: false; reason: 'integration-timeout'}

/** One function of the template: its bundle, its model and the environments running it. */
export interface FunctionEntry {
  bundle: DevBundle
  model: FunctionModel
  runtime: FunctionRuntime
}

/** Where a handler finds the emulator's services (its AWS_ENDPOINT_URL_* variables). */
export type LocalEndpoints = Required<RuntimeEnvironmentOptions>

/**
 * What a function's environments run: the environment variables Lambda would set (with the emulator's endpoints),
 * and the names, ARN and log group of the function as it would be deployed. `jwks`, for a JWT authorizer whose
 * issuer is this server, lets it trust the local keys without fetching them (aws-jwt-verify fetches over https only).
 */
export function functionCode(
  stack: EmulatedStack,
  fn: FunctionModel,
  bundle: DevBundle,
  endpoints: LocalEndpoints,
  jwks?: unknown,
): FunctionCode {
  const name = physicalName(stack, fn.logicalId)
  return {
    env: {
      ...functionEnvironment(stack, fn, endpoints),
      ...(jwks === undefined ? {} : {JWT_JWKS: JSON.stringify(jwks)}),
    },
    setup: {
      functionArn: `arn:aws:lambda:${stack.region}:${stack.accountId}:function:${name}`,
      functionName: name,
      handlerName: fn.handler.slice(fn.handler.lastIndexOf('.') + 1),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: `local/[$LATEST]${fn.logicalId}`,
      memorySize: fn.memorySize,
      moduleUrl: bundle.moduleUrl,
    },
    reservedConcurrency: fn.reservedConcurrency,
    timeoutMs: fn.timeout * 1000,
  }
}

export interface FunctionHostOptions {
  /** Folder for this server's bundles (.wsapi/dev/<pid>). */
  bundleDir: string
  /** What a function runs, for the current stack. */
  codeOf: (fn: FunctionModel, bundle: DevBundle) => FunctionCode
  /** Environments (worker threads) per function at most. */
  concurrency: number
  /** API Gateway's integration timeout, for invocations made on behalf of a client. */
  integrationTimeoutMs: number
  log: DevLog
  /** Invocations that may wait for a busy function's environments. */
  maxWaiting?: number
}

/** The template's functions: bundled, loaded into environments, invoked, and swapped for new code on reload. */
export class FunctionHost {
  private readonly entries = new Map<string, FunctionEntry>()

  constructor(private readonly options: FunctionHostOptions) {}

  /** The source files of every bundle, to watch. */
  inputs(): string[] {
    return [...this.entries.values()].flatMap((entry) => entry.bundle.inputs)
  }

  /** The functions whose bundles read one of these files. */
  affectedBy(files: Set<string>): FunctionModel[] {
    return [...this.entries.values()]
      .filter((entry) => entry.bundle.inputs.some((input) => files.has(input)))
      .map((entry) => entry.model)
  }

  /** Bundles every function given; all failures are reported together. */
  async bundle(projectDir: string, functions: FunctionModel[]): Promise<Map<string, DevBundle>> {
    const settled = await Promise.allSettled(
      functions.map((fn) => bundleForDev(projectDir, fn, this.options.bundleDir)),
    )
    const failures = settled.flatMap((outcome, index) =>
      outcome.status === 'rejected'
        ? [`${functions[index].logicalId} (${functions[index].codePath}):\n${(outcome.reason as Error).message}`]
        : [],
    )
    if (failures.length > 0) throw new WsapiError(`Build failed:\n${failures.join('\n')}`, {code: 'BUILD_FAILED'})
    return new Map(
      settled.map((outcome, index) => [
        functions[index].logicalId,
        (outcome as PromiseFulfilledResult<DevBundle>).value,
      ]),
    )
  }

  /** Bundles the project's functions and runs them from now on: new ones get environments, removed ones lose theirs. */
  async load(project: ProjectModel): Promise<void> {
    const models = new Map(Object.values(project.functions).map((fn) => [fn.logicalId, fn]))
    const bundles = await this.bundle(project.dir, [...models.values()])
    for (const [logicalId, fn] of models) {
      const bundle = bundles.get(logicalId)!
      const code = this.options.codeOf(fn, bundle)
      const existing = this.entries.get(logicalId)
      if (existing) {
        existing.runtime.update(code)
        existing.bundle = bundle
        existing.model = fn
      } else {
        const runtime = new FunctionRuntime(code, {
          concurrency: this.options.concurrency,
          maxWaiting: this.options.maxWaiting,
          onLog: (line, requestId) => this.options.log.handler(logicalId, line.level, requestId, line.text),
        })
        this.entries.set(logicalId, {bundle, model: fn, runtime})
      }
    }

    for (const [logicalId, entry] of this.entries) {
      if (!models.has(logicalId)) {
        this.entries.delete(logicalId)
        void entry.runtime.close()
      }
    }
  }

  /** Bundles these functions again and runs the new code from the next invocation on. */
  async rebuild(projectDir: string, functions: FunctionModel[]): Promise<void> {
    const bundles = await this.bundle(projectDir, functions)
    for (const fn of functions) {
      const entry = this.entries.get(fn.logicalId)!
      entry.bundle = bundles.get(fn.logicalId)!
      entry.runtime.update(this.options.codeOf(fn, entry.bundle))
    }
  }

  /** Starts one environment of each function named (of every function when `all`): the init errors, by function. */
  async start(names: string[], all = false): Promise<Array<{error?: WorkerError; logicalId: string}>> {
    const started = [...this.entries.values()].filter((entry) => all || names.includes(entry.model.logicalId))
    return Promise.all(
      started.map(async (entry) => ({error: await entry.runtime.load(), logicalId: entry.model.logicalId})),
    )
  }

  /** Invokes with a JSON event, on behalf of no connection (the Lambda Invoke API, asynchronous invocations). */
  run(logicalId: string, event: string, requestId: string): Promise<InvokeResult> {
    const runtime = this.entries.get(logicalId)?.runtime
    if (!runtime) return Promise.resolve(missing(logicalId))
    return runtime.invoke(event, requestId)
  }

  /**
   * Invokes on behalf of a connection (`caller`): a connection's waiting invocations take turns with other
   * connections'. With `integrationTimeout`, API Gateway stops waiting after its integration timeout.
   */
  invoke(
    functionId: string,
    event: unknown,
    requestId: string,
    caller: string,
    integrationTimeout: boolean,
  ): Promise<Outcome> {
    const runtime = this.entries.get(functionId)?.runtime
    if (!runtime) return Promise.resolve(missing(functionId))
    if (!integrationTimeout) return runtime.invoke(JSON.stringify(event), requestId, {caller})
    // An invocation still waiting for an environment when API Gateway gives up is dropped, not run late.
    const stopWaiting = new AbortController()
    const invocation = runtime.invoke(JSON.stringify(event), requestId, {caller, signal: stopWaiting.signal})
    const limit = this.options.integrationTimeoutMs
    let timer: NodeJS.Timeout
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => {
        resolve({durationMs: limit, ok: false, reason: 'integration-timeout'})
        stopWaiting.abort()
      }, limit)
    })
    return Promise.race([invocation.finally(() => clearTimeout(timer)), timeout])
  }

  /** Stops every environment. */
  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.runtime.close()))
  }
}

function missing(logicalId: string): InvokeResult {
  return {
    durationMs: 0,
    error: {errorMessage: `No function ${logicalId}`, errorType: 'ResourceNotFoundException'},
    ok: false,
    reason: 'error',
  }
}
