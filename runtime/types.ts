// Event and result shapes of API Gateway WebSocket Lambda proxy integrations, as AWS sends them today.
// Kept here (rather than @types/aws-lambda) because those types lack identity, disconnect codes and authorizer.

export interface WebSocketRequestContext {
  apiId: string
  authorizer?: Record<string, unknown>
  connectedAt: number
  connectionId: string
  disconnectReason?: string
  disconnectStatusCode?: number
  domainName: string
  eventType: 'CONNECT' | 'DISCONNECT' | 'MESSAGE'
  extendedRequestId: string
  /** With AWS_IAM authorization on $connect, also who signed: accessKey, accountId, caller, user, userArn. */
  identity: {
    accessKey?: string
    accountId?: string
    caller?: string
    sourceIp: string
    user?: string
    userAgent?: string
    userArn?: string
  }
  messageDirection: 'IN'
  messageId?: string
  requestId: string
  requestTime: string
  requestTimeEpoch: number
  routeKey: string
  stage: string
}

export interface WebSocketEvent {
  body?: string
  headers?: Record<string, string>
  isBase64Encoded: boolean
  multiValueHeaders?: Record<string, string[]>
  multiValueQueryStringParameters?: Record<string, string[]>
  queryStringParameters?: Record<string, string>
  requestContext: WebSocketRequestContext
  stageVariables?: Record<string, string>
}

export interface WebSocketResult {
  body?: string
  headers?: Record<string, string>
  statusCode: number
}

/** The event of a REQUEST authorizer on $connect. */
export interface AuthorizerEvent extends Omit<WebSocketEvent, 'body'> {
  methodArn: string
  type: 'REQUEST'
}

export interface AuthorizerResult {
  context?: Record<string, boolean | number | string>
  policyDocument: {
    Statement: Array<{Action: string; Effect: 'Allow' | 'Deny'; Resource: string}>
    Version: '2012-10-17'
  }
  principalId: string
}
