import type {IncomingMessage, ServerResponse} from 'node:http'
import {Readable} from 'node:stream'

import {hostRefusal, visible} from './access.js'

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void

export interface DynamoFrontOptions {
  /** Answers an operation dynalite lacks (by X-Amz-Target and body), or returns undefined to pass the request on. */
  answer?: (target: string, body: Buffer) => unknown
  /** dynalite's own request handler. */
  dynalite: RequestHandler
  /** Delay added to every call, in ms (`--latency-dynamodb`). */
  latencyMs?: number
  /** Told why a request was refused (an Origin header, a foreign Host), for the log. */
  onRefused?: (reason: string) => void
  /** The Host values of the endpoint, known once it listens. */
  served: () => string[]
}

/** A request that has been read to the end, handed to dynalite as if it had just arrived. */
function replay(request: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = Readable.from(body.length > 0 ? [body] : []) as unknown as IncomingMessage
  copy.headers = request.headers
  copy.method = request.method
  copy.url = request.url
  return copy
}

function answerJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {'content-length': Buffer.byteLength(text), 'content-type': 'application/x-amz-json-1.0'})
  response.end(text)
}

/**
 * What stands in front of dynalite: programs on this machine only, each request read to the end before dynalite
 * sees it, operations dynalite lacks answered here, latency added, and requests counted so that close() lets
 * every received one finish.
 */
export class DynamoFront {
  private closing = false
  private drained?: () => void
  private inFlight = 0
  private receivedCount = 0

  constructor(private readonly options: DynamoFrontOptions) {}

  /** Requests received so far (read to the end), answered or not. */
  get received(): number {
    return this.receivedCount
  }

  readonly handle: RequestHandler = (request, response) => {
    // Programs on this machine only (README "Security"): a browser sends Origin on every cross-origin request
    // (and dynalite would answer it with Access-Control-Allow-Origin: *); a foreign Host is DNS rebinding.
    const refusal =
      request.headers.origin === undefined
        ? hostRefusal(request.headers.host, this.options.served())
        : `Origin "${visible(request.headers.origin)}": the embedded DynamoDB answers programs on this machine, not web pages`
    if (refusal) {
      this.options.onRefused?.(`Refused a DynamoDB request with ${refusal}`)
      request.resume()
      answerJson(response, 403, {
        __type: 'com.amazon.coral.service#AccessDeniedException',
        message: 'wsapi dev: the embedded DynamoDB answers programs on this machine only',
      })
      return
    }

    // Read each request ourselves: dynalite throws from a request 'error' listener, which would take the
    // whole dev server down when a handler's environment is killed mid-request.
    const chunks: Buffer[] = []
    request.on('error', () => response.destroy())
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (this.closing) {
        response.destroy()
        return
      }

      this.inFlight++
      this.receivedCount++
      let answered = false
      const end = response.end.bind(response)
      response.end = ((...args: Parameters<ServerResponse['end']>) => {
        if (!answered) {
          answered = true
          if (--this.inFlight === 0) this.drained?.()
        }

        return end(...args)
      }) as ServerResponse['end']
      const body = Buffer.concat(chunks)
      const handle = () => {
        try {
          const answer = this.options.answer?.(String(request.headers['x-amz-target'] ?? ''), body)
          if (answer === undefined) this.options.dynalite(replay(request, body), response)
          else answerJson(response, 200, answer)
        } catch (error) {
          // A request dynalite (or a local answer) can't parse: a 500 for that caller, never a crash.
          if (!answered)
            answerJson(response, 500, {
              __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
              message: error instanceof Error ? error.message : String(error),
            })
        }
      }

      const latencyMs = this.options.latencyMs ?? 0
      if (latencyMs > 0) setTimeout(handle, latencyMs)
      else handle()
    })
  }

  /**
   * Refuses requests from now on and waits, at most `timeoutMs`, for those received: dynalite throws (and would
   * take the whole dev server down) when an operation it has started meets a closed database.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.closing = true
    if (this.inFlight === 0) return
    await new Promise<void>((resolve) => {
      this.drained = resolve
      setTimeout(resolve, timeoutMs).unref()
    })
  }
}
