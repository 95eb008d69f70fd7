import {ApiGatewayManagementApiClient, PostToConnectionCommand} from '@aws-sdk/client-apigatewaymanagementapi'

import {concurrencyFromEnv} from './env.js'
import type {WebSocketEvent} from './types.js'

/** Set by `wsapi dev` (or by you) to reach a management API other than the API's own execute-api endpoint. */
export const MANAGEMENT_ENDPOINT_ENV = 'WSAPI_MANAGEMENT_ENDPOINT'

/** An API's default endpoint host: {api-id}.execute-api.{region}.amazonaws.com (.com.cn in the China regions). */
const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/

/**
 * The @connections endpoint for the API that sent `event`. AWS documents https://{domainName}/{stage}, but behind
 * a custom domain domainName is that domain, and posting there fails unless the API mapping's base path is the
 * stage. The execute-api endpoint built from the API id always works, so it is used unless domainName already
 * is that endpoint (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html).
 */
export function managementEndpoint(
  event: Pick<WebSocketEvent, 'requestContext'>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const override = env[MANAGEMENT_ENDPOINT_ENV]
  if (override) return override
  const {apiId, domainName, stage} = event.requestContext
  if (EXECUTE_API_HOST.test(domainName)) return `https://${domainName}/${stage}`
  const region = env.AWS_REGION
  if (!apiId || !region) return `https://${domainName}/${stage}`
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
  return `https://${apiId}.execute-api.${region}.${suffix}/${stage}`
}

const clients = new Map<string, ApiGatewayManagementApiClient>()

/** The AWS SDK's default socket pool of a client: requests beyond it wait for a free socket. */
const SDK_DEFAULT_MAX_SOCKETS = 50

/** One client per endpoint, reused across invocations of a warm function. */
export function managementClient(event: Pick<WebSocketEvent, 'requestContext'>): ApiGatewayManagementApiClient {
  const endpoint = managementEndpoint(event)
  let client = clients.get(endpoint)
  if (!client) {
    // One socket per post in flight: with the SDK's default pool a BROADCAST_CONCURRENCY above 50 would only queue.
    const maxSockets = Math.max(SDK_DEFAULT_MAX_SOCKETS, concurrencyFromEnv())
    // cacheMiddleware: the SDK otherwise rebuilds its middleware chain for every call; a broadcast makes
    // thousands of identical calls, and caching it cuts the client's CPU per post by about a quarter.
    client = new ApiGatewayManagementApiClient({
      cacheMiddleware: true,
      endpoint,
      requestHandler: {httpAgent: {maxSockets}, httpsAgent: {maxSockets}},
    })
    clients.set(endpoint, client)
  }

  return client
}

/** True for the 410 the management API answers when a connection no longer exists. */
export function isGone(error: unknown): boolean {
  const candidate = error as {$metadata?: {httpStatusCode?: number}; name?: string} | undefined
  return candidate?.name === 'GoneException' || candidate?.$metadata?.httpStatusCode === 410
}

/** Sends `data` (text) to one connection. */
export async function postToConnection(
  client: ApiGatewayManagementApiClient,
  connectionId: string,
  data: string,
): Promise<void> {
  await client.send(new PostToConnectionCommand({ConnectionId: connectionId, Data: new TextEncoder().encode(data)}))
}
