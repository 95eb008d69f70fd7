import type {IncomingMessage, ServerResponse} from 'node:http'

import {CLOSE} from '../apigw/close-codes.js'
import {exampleMessage} from '../project/index.js'
import {hostRefusal, visible} from './access.js'
import type {ConnectionsRateGate} from './connections-rate.js'
import {LAMBDA_API_PATH} from './lambda-service.js'
import {JWKS_PATH, OPENID_CONFIGURATION_PATH} from './local-issuer.js'
import {handleManagementRequest, MANAGEMENT_PATH} from './management-api.js'
import type {OpenConnections} from './open-connections.js'
import {chatPage, roomMessages} from './page.js'
import type {GatewayContext} from './server-types.js'
import {handleSecretsManagerRequest, isSecretsManagerRequest} from './secrets-manager.js'

// The HTTP side of the dev port: which request goes where (the page, the issuer's keys, @connections, Lambda, SQS,
// Secrets Manager), and API Gateway's answers to anything else.

/** The path of a request URL, without its query. */
export function requestPath(url: string | undefined): string {
  const value = url ?? '/'
  const query = value.indexOf('?')
  return query === -1 ? value : value.slice(0, query)
}

function forbidden(response: ServerResponse): void {
  response.writeHead(403, {'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException'})
  response.end('{"message":"Forbidden"}')
}

const readsOnly = (request: IncomingMessage) => request.method === 'GET' || request.method === 'HEAD'

/** A 200 that is never cached (keys and the page change with each run), without the body for HEAD. */
function answerFresh(request: IncomingMessage, response: ServerResponse, body: string, contentType: string): void {
  response.writeHead(200, {
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
    'Content-Type': contentType,
  })
  response.end(request.method === 'HEAD' ? undefined : body)
}

/**
 * The HTTP side of the dev port: the Host check, the local JWT issuer's keys, then Secrets Manager, the Lambda and SQS
 * APIs and @connections (each in a module of its own), and the chat page. Anything else is 403, as API Gateway answers.
 */
export class DevHttp {
  constructor(
    private readonly gateway: GatewayContext,
    private readonly connections: OpenConnections,
    private readonly connectionsRate?: ConnectionsRateGate,
  ) {}

  handle(request: IncomingMessage, response: ServerResponse): void {
    const {gateway} = this
    const path = requestPath(request.url)
    const refused = (reason: string) =>
      gateway.log.warn(`Refused ${visible(request.method ?? 'GET')} ${visible(path)} ${reason}`)
    const foreignHost = hostRefusal(request.headers.host, gateway.served)
    if (foreignHost) {
      refused(`with ${foreignHost}`)
      request.resume()
      forbidden(response)
      return
    }

    const {issuer} = gateway
    if (
      issuer &&
      gateway.localIssuer &&
      (path === JWKS_PATH || path === OPENID_CONFIGURATION_PATH) &&
      readsOnly(request)
    ) {
      request.resume()
      const body = JSON.stringify(path === JWKS_PATH ? issuer.jwks : issuer.openIdConfiguration(gateway.issuerUrl))
      answerFresh(request, response, body, 'application/json')
      return
    }

    if (isSecretsManagerRequest(request, path)) {
      const {port} = gateway
      const allowedHosts = new Set([
        `127.0.0.1:${port}`,
        `localhost:${port}`,
        `[::1]:${port}`,
        `${gateway.host}:${port}`.toLowerCase(),
      ])
      handleSecretsManagerRequest({allowedHosts, secrets: () => gateway.secrets}, request, response, (reason) =>
        gateway.log.warn(reason),
      )
      return
    }

    if (
      LAMBDA_API_PATH.test(path) ||
      (request.method === 'POST' && String(request.headers['x-amz-target']).startsWith('AmazonSQS.'))
    ) {
      const {lambda, queues} = gateway
      if (!lambda || !queues) {
        request.resume()
        response.writeHead(503, {'Content-Type': 'application/json'})
        response.end('{"message":"Service Unavailable"}')
      } else if (LAMBDA_API_PATH.test(path)) lambda.handle(request, response, path)
      else queues.handleHttp(request, response, refused)
      return
    }

    const management = MANAGEMENT_PATH.exec(path)
    if (management) {
      handleManagementRequest(
        {
          latencyMs: gateway.options.latencyMs ?? 0,
          onDelete: (connection) => this.connections.serverClose(connection, CLOSE.deleted),
          onPost: (connection, data) => this.connections.post(connection, data),
          onRefused: refused,
          rateLimit: this.connectionsRate,
          registry: gateway.registry,
          stage: gateway.stage,
        },
        request,
        response,
        management,
      )
      return
    }

    request.resume()
    this.page(request, response, path)
  }

  /** The chat page, and what a browser asks of the dev port besides. */
  private page(request: IncomingMessage, response: ServerResponse, path: string): void {
    const {model, stage} = this.gateway
    if (path === `/${stage}` || path === `/${stage}/`) {
      // The WebSocket URL opened as a web page: API Gateway answers 426.
      response.writeHead(426, {'Content-Type': 'text/plain', Upgrade: 'websocket'})
      response.end('Upgrade Required: connect with a WebSocket client, e.g. wsapi connect or wscat.\n')
      return
    }

    if (path === '/' && readsOnly(request)) {
      const route = model.routes.find((candidate) => !candidate.key.startsWith('$'))?.key
      const html = chatPage({
        message: route ? exampleMessage(model.api.routeSelection, route, {data: ''}) : undefined,
        project: model.name,
        rooms: roomMessages(
          model.api.routeSelection,
          model.routes.map((candidate) => candidate.key),
        ),
        route,
        stage,
      })
      answerFresh(request, response, html, 'text/html; charset=utf-8')
      return
    }

    if (path === '/favicon.ico' && readsOnly(request)) {
      // Browsers ask for it with every page: no icon, and no console error either.
      response.writeHead(204, {'Cache-Control': 'max-age=86400'})
      response.end()
      return
    }

    forbidden(response)
  }
}
