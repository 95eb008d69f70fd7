// Builds API Gateway WebSocket events shaped like the ones AWS sends (see the wsapi README).
import type {AuthorizerEvent, WebSocketEvent, WebSocketRequestContext} from '../src/runtime/index.js'

export function webSocketEvent(context: Partial<WebSocketRequestContext> & Pick<WebSocketRequestContext, 'routeKey'>, body?: string): WebSocketEvent {
  const now = Date.now()
  return {
    body,
    isBase64Encoded: false,
    requestContext: {
      apiId: 'abcde12345',
      connectedAt: now - 1000,
      connectionId: 'SenderConnId01A=',
      domainName: 'abcde12345.execute-api.us-east-1.amazonaws.com',
      eventType: context.routeKey === '$connect' ? 'CONNECT' : context.routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      extendedRequestId: 'RequestIdAAAA0A=',
      identity: {sourceIp: '203.0.113.7'},
      messageDirection: 'IN',
      requestId: 'RequestIdAAAA0A=',
      requestTime: '26/Nov/2026:12:00:00 +0000',
      requestTimeEpoch: now,
      stage: 'test',
      ...context,
    },
  }
}

export function authorizerEvent(query?: Record<string, string>): AuthorizerEvent {
  const event = webSocketEvent({routeKey: '$connect'})
  return {
    ...event,
    methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abcde12345/test/$connect',
    queryStringParameters: query,
    type: 'REQUEST',
  }
}
