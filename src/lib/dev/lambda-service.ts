import type {IncomingMessage, ServerResponse} from 'node:http'

import type {ProjectModel} from '../project/index.js'
import {visible} from './access.js'
import {
  ASYNC_DEFAULTS,
  type AsyncEvent,
  type AsyncInvokeConfig,
  AsyncInvocations,
  type AsyncStep,
  type DestinationRecord,
  errorPayload,
} from './async-invocations.js'
import {type EmulatedStack, physicalName} from './environment.js'
import type {InvokeResult, WorkerError} from './invoker.js'
import {type LambdaFunction, lambdaFunctions, parseFunctionName} from './lambda-functions.js'
import type {DevLog} from './log.js'
import {signatureRefusal} from './management-api.js'
import type {LocalQueues} from './sqs.js'
import type {MessageAttributeValue} from './sqs-queue.js'

/**
 * The Lambda `Invoke` API (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) for the functions of the
 * template, so that a handler's `new LambdaClient().send(new InvokeCommand(...))` reaches them through
 * AWS_ENDPOINT_URL_LAMBDA: RequestResponse (200 with the payload, `X-Amz-Function-Error` on a function error),
 * Event (202, then Lambda's retries and destinations: async-invocations.ts) and DryRun (204).
 */

/**
 * A path of the Lambda API's function operations (/2015-03-31/functions/…, /2014-11-13/functions/…); nothing else
 * wsapi dev serves can look like it (a stage named like a date is /<stage> or /<stage>/@connections/…).
 */
export const LAMBDA_API_PATH = /^\/20\d\d-\d\d-\d\d\/functions\//
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/

/** Request payload limits (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
export const INVOKE_LIMITS = {asyncPayloadBytes: 1024 * 1024, syncPayloadBytes: 6 * 1024 * 1024} as const

/** A Lambda API error as the service sends it: the SDK reads the type from x-amzn-ErrorType, the message from the body. */
function sendError(
  response: ServerResponse,
  status: number,
  type: string,
  message: string,
  requestId = crypto.randomUUID(),
): void {
  const body = JSON.stringify({Type: 'User', message})
  response.writeHead(status, {
    'Content-Length': Buffer.byteLength(body),
    'Content-Type': 'application/json',
    'x-amzn-ErrorType': type,
    'x-amzn-RequestId': requestId,
  })
  response.end(body)
}

/** The HTTP answer to a RequestResponse invocation. */
export function invokeResponse(result: InvokeResult): {body: string; headers: Record<string, string>} {
  const headers: Record<string, string> = {'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST'}
  if (result.ok) {
    const body = JSON.stringify(result.payload) ?? 'null'
    if (Buffer.byteLength(body) <= INVOKE_LIMITS.syncPayloadBytes) return {body, headers}
    const error = {
      errorMessage: `Response payload size exceeded maximum allowed payload size (${INVOKE_LIMITS.syncPayloadBytes} bytes).`,
      errorType: 'Function.ResponseSizeTooLarge',
    }
    return {body: JSON.stringify(error), headers: {...headers, 'X-Amz-Function-Error': 'Unhandled'}}
  }

  return {body: JSON.stringify(errorPayload(result.error)), headers: {...headers, 'X-Amz-Function-Error': 'Unhandled'}}
}

export interface LocalLambdaOptions {
  log: DevLog
  queues: LocalQueues
  /** Wait before the first retry of a failed asynchronous invocation (AWS: about a minute); the second waits twice as long. */
  retryDelayMs: number
  /** Runs a function of the template (by logical id) on an event (JSON). */
  run(logicalId: string, event: string, requestId: string): Promise<InvokeResult>
  /** `aws sqs` endpoint to show in the log, e.g. http://127.0.0.1:3001. */
  endpoint: string
}

export class LocalLambda {
  readonly asyncInvocations: AsyncInvocations
  private functions = new Map<string, LambdaFunction>()
  private where = {accountId: '', region: ''}

  constructor(private readonly options: LocalLambdaOptions) {
    this.asyncInvocations = new AsyncInvocations({
      configFor: (name) => this.functions.get(name)?.config ?? ASYNC_DEFAULTS,
      deadLetter: (target, event, error) => this.deadLetter(target, event, error),
      deliver: (destination, record, event) => this.deliver(destination, record, event),
      onStep: (event, step, result) => this.logStep(event, step, result),
      retryDelayMs: options.retryDelayMs,
      run: (event) => {
        const fn = this.functions.get(event.functionName)
        if (!fn)
          return Promise.resolve({
            durationMs: 0,
            error: {errorMessage: `Function not found: ${event.functionArn}`, errorType: 'ResourceNotFoundException'},
            ok: false,
            reason: 'error',
          })
        return this.options.run(fn.logicalId, event.payload, event.requestId)
      },
    })
  }

  /** (Re)reads the functions, their asynchronous settings and the template's queues; messages already queued stay. */
  configure(stack: EmulatedStack, project: ProjectModel): void {
    this.where = {accountId: stack.accountId, region: stack.region}
    this.functions = lambdaFunctions(stack, project, (line) => this.options.log.warn(line))
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      if (resource.Type !== 'AWS::SQS::Queue') continue
      const properties = resource.Properties ?? {}
      const seconds = (name: string) => {
        const value = properties[name]
        return typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))
          ? Number(value)
          : undefined
      }

      this.options.queues.define(physicalName(stack, logicalId), {
        messageRetentionSeconds: seconds('MessageRetentionPeriod'),
        receiveWaitSeconds: seconds('ReceiveMessageWaitTimeSeconds'),
        visibilityTimeoutSeconds: seconds('VisibilityTimeout'),
      })
    }
  }

  close(): Promise<void> {
    return this.asyncInvocations.close()
  }

  /** Answers a request whose path matched LAMBDA_API_PATH. */
  handle(request: IncomingMessage, response: ServerResponse, path: string): void {
    const chunks: Buffer[] = []
    let bytes = 0
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes <= INVOKE_LIMITS.syncPayloadBytes) chunks.push(chunk)
    })
    request.on('error', () => response.destroy())
    request.on('end', () => {
      const refused = (reason: string) =>
        this.options.log.warn(`Refused ${visible(request.method ?? 'GET')} ${visible(path)} ${reason}`)
      // Programs on this machine only (README "Security"): no web page, and a SigV4 header as the SDK and CLI send.
      if (request.headers.origin !== undefined) {
        refused(
          `from Origin "${visible(request.headers.origin)}": the Lambda API answers programs on this machine, not web pages`,
        )
        return sendError(
          response,
          403,
          'AccessDeniedException',
          'wsapi dev: the Lambda API answers programs on this machine only',
        )
      }

      const unsigned = signatureRefusal(request.headers, 'lambda')
      if (unsigned) {
        refused(`${unsigned.reason} (AWS answers 403 too): sign it as the AWS SDK and the AWS CLI do`)
        response.writeHead(403, {
          'Content-Type': 'application/json',
          'x-amzn-ErrorType': unsigned.errorType,
          'x-amzn-RequestId': crypto.randomUUID(),
        })
        response.end(unsigned.body)
        return
      }

      const invoke = INVOKE_PATH.exec(path)
      if (!invoke || request.method !== 'POST')
        return sendError(
          response,
          404,
          'UnknownOperationException',
          'wsapi dev emulates the Invoke operation of the Lambda API only.',
        )
      this.invoke(request, response, invoke[1], bytes, chunks)
    })
  }

  private invoke(
    request: IncomingMessage,
    response: ServerResponse,
    rawName: string,
    bytes: number,
    chunks: Buffer[],
  ): void {
    const requestId = crypto.randomUUID()
    let name: string
    try {
      name = decodeURIComponent(rawName)
    } catch {
      name = rawName
    }

    const query = new URLSearchParams((request.url ?? '').split('?')[1] ?? '')
    const parts = parseFunctionName(name, this.where)
    const qualifier = query.get('Qualifier') ?? parts?.qualifier
    if (parts?.qualifier !== undefined && query.has('Qualifier') && query.get('Qualifier') !== parts.qualifier) {
      return sendError(
        response,
        400,
        'InvalidParameterValueException',
        'The derived qualifier from the function name does not match the specified qualifier.',
        requestId,
      )
    }

    const fn =
      parts && (qualifier === undefined || qualifier === '$LATEST') ? this.functions.get(parts.name) : undefined
    if (!fn) {
      const arn = `arn:aws:lambda:${this.where.region}:${this.where.accountId}:function:${parts?.name ?? name}${qualifier ? `:${qualifier}` : ''}`
      this.options.log.warn(
        `Invoke ${visible(name)}: no such function in template.yaml (wsapi dev runs $LATEST of the template's functions); answered 404 ResourceNotFoundException`,
      )
      return sendError(response, 404, 'ResourceNotFoundException', `Function not found: ${arn}`, requestId)
    }

    const type = (request.headers['x-amz-invocation-type'] as string | undefined) ?? 'RequestResponse'
    if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
      return sendError(
        response,
        400,
        'InvalidParameterValueException',
        `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
        requestId,
      )
    }

    const limit = type === 'Event' ? INVOKE_LIMITS.asyncPayloadBytes : INVOKE_LIMITS.syncPayloadBytes
    if (bytes > limit) {
      return sendError(
        response,
        413,
        'RequestTooLargeException',
        `Request must be smaller than ${limit} bytes for the ${type === 'Event' ? 'InvokeAsync' : 'InvokeFunction'} operation`,
        requestId,
      )
    }

    const text = Buffer.concat(chunks).toString('utf8')
    // Lambda passes an empty payload as {}; anything else must be JSON.
    const payload = text.trim() === '' ? '{}' : text
    try {
      JSON.parse(payload)
    } catch (error) {
      return sendError(
        response,
        400,
        'InvalidRequestContentException',
        `Could not parse request body into json: ${(error as Error).message}`,
        requestId,
      )
    }

    if (type === 'DryRun') {
      response.writeHead(204, {'x-amzn-RequestId': requestId})
      response.end()
      return
    }

    if (type === 'Event') {
      this.asyncInvocations.enqueue({functionArn: fn.arn, functionName: fn.name, payload, requestId})
      response.writeHead(202, {'Content-Length': 0, 'x-amzn-RequestId': requestId})
      response.end()
      return
    }

    void this.options.run(fn.logicalId, payload, requestId).then((result) => {
      const answer = invokeResponse(result)
      this.options.log.invocation({
        connectionId: '-',
        durationMs: result.durationMs,
        error: result.ok ? undefined : result.error,
        functionId: fn.logicalId,
        route: 'Invoke',
        status: result.ok ? 200 : '200 Unhandled',
      })
      if (response.destroyed) return
      response.writeHead(200, {
        ...answer.headers,
        'Content-Length': String(Buffer.byteLength(answer.body)),
        'x-amzn-RequestId': requestId,
      })
      response.end(answer.body)
    })
  }

  private logStep(event: AsyncEvent, step: AsyncStep, result: InvokeResult | undefined): void {
    const fn = this.functions.get(event.functionName)
    const config: AsyncInvokeConfig = fn?.config ?? ASYNC_DEFAULTS
    const attempt = `attempt ${event.attempts}/${config.maximumRetryAttempts + 1}`
    let note: string
    switch (step.kind) {
      case 'succeeded': {
        note = attempt
        break
      }

      case 'retry': {
        note = `${step.throttled ? 'throttled' : attempt}, retry in ${formatMs(step.inMs)}`
        break
      }

      case 'failed': {
        const where = [config.onFailure, config.deadLetterTarget].filter(Boolean)
        note = `${attempt}, ${step.condition}${where.length === 0 ? ': no OnFailure destination or DeadLetterConfig, the event is dropped (as Lambda drops it)' : ''}`
        break
      }
    }

    this.options.log.invocation({
      connectionId: event.requestId,
      durationMs: result?.durationMs,
      error: result && !result.ok ? result.error : undefined,
      functionId: fn?.logicalId ?? event.functionName,
      note,
      route: 'Invoke Event',
      status: result === undefined ? 'not run' : result.ok ? 200 : 'Unhandled',
    })
  }

  /** Sends a destination record: to a local queue, or as an asynchronous invocation of a function of the template. */
  private deliver(destination: string, record: DestinationRecord, event: AsyncEvent): void {
    const body = JSON.stringify(record)
    const target = this.sendTo(destination, body)
    this.options.log.warn(
      `${this.functions.get(event.functionName)?.logicalId ?? event.functionName} ${event.requestId}: ${record.requestContext.condition} record ${target}: ${visible(body, 400)}`,
    )
  }

  /** Sends the event itself to a DeadLetterConfig target, with the attributes Lambda adds. */
  private deadLetter(target: string, event: AsyncEvent, error: WorkerError | undefined): void {
    const attributes = {
      ErrorCode: {DataType: 'Number', StringValue: '200'},
      ErrorMessage: {
        DataType: 'String',
        StringValue: (error?.errorMessage ?? 'Event age exceeded').slice(0, 1024) || '-',
      },
      RequestID: {DataType: 'String', StringValue: event.requestId},
    }
    const where = this.sendTo(target, event.payload, attributes)
    this.options.log.warn(
      `${this.functions.get(event.functionName)?.logicalId ?? event.functionName} ${event.requestId}: the event ${where} (DeadLetterConfig)`,
    )
  }

  /** Returns where it went, for the log. */
  private sendTo(arn: string, body: string, attributes?: Record<string, MessageAttributeValue>): string {
    const [, , service, region, account, ...rest] = arn.split(':')
    const local = region === this.where.region && account === this.where.accountId
    if (service === 'sqs' && rest.length === 1) {
      let queue = this.options.queues.byArn(arn)
      if (!queue) {
        if (!local) return `not delivered: ${visible(arn)} is a queue of another account or Region`
        queue = this.options.queues.define(rest[0])
      }

      queue.send(body, attributes)
      const {invisible, visible: waiting} = queue.counts()
      return `sent to queue ${queue.name} (${waiting + invisible} message${waiting + invisible === 1 ? '' : 's'}; read them with: aws sqs receive-message --endpoint-url ${this.options.endpoint} --queue-url ${queue.url})`
    }

    if (service === 'lambda' && local && rest[0] === 'function' && this.functions.has(rest[1])) {
      const fn = this.functions.get(rest[1])!
      const requestId = crypto.randomUUID()
      this.asyncInvocations.enqueue({functionArn: fn.arn, functionName: fn.name, payload: body, requestId})
      return `sent to function ${fn.logicalId} (request ${requestId})`
    }

    return `not delivered: wsapi dev delivers to SQS queues and functions of the template, not to ${visible(arn)}`
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`
}
