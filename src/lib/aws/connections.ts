import type * as ManagementSdk from '@aws-sdk/client-apigatewaymanagementapi'
import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb'

import {ExitCode, WsapiError} from '../errors.js'
import {type AwsCallContext, awsErrorCode, toAwsCallError} from './errors.js'
import {type AwsOptions, customEndpoint} from './options.js'

/** A DynamoDB item with its attribute values as plain JSON (S → string, N → number, SS/L → arrays…). */
export type PlainItem = Record<string, unknown>

/** Where the connections table and the `@connections` API of a stage are, and as whom to call them. */
export interface ConnectionsEndpoints {
  /** Fixed credentials (wsapi dev checks that calls are signed, not by whom), else the standard chain. */
  aws: AwsOptions
  /** DynamoDB endpoint when not AWS's (wsapi dev's embedded one). */
  dynamodbEndpoint?: string
  /** The stage's `@connections` base URL, e.g. https://abc.execute-api.eu-west-1.amazonaws.com/v1. */
  managementEndpoint: string
  region: string
}

function plain(value: DynamoDbSdk.AttributeValue): unknown {
  if (value.S !== undefined) return value.S
  if (value.N !== undefined) return Number(value.N)
  if (value.BOOL !== undefined) return value.BOOL
  if (value.NULL !== undefined) return null
  if (value.SS !== undefined) return [...value.SS]
  if (value.NS !== undefined) return value.NS.map(Number)
  if (value.L !== undefined) return value.L.map((item) => plain(item))
  if (value.M !== undefined) return Object.fromEntries(Object.entries(value.M).map(([key, item]) => [key, plain(item)]))
  if (value.B !== undefined) return Buffer.from(value.B).toString('base64')
  if (value.BS !== undefined) return value.BS.map((item) => Buffer.from(item).toString('base64'))
  return undefined
}

/** A connection that has gone away: `@connections` answers 410 GoneException. */
export class ConnectionGoneError extends WsapiError {
  constructor(
    readonly connectionId: string,
    cause: unknown,
  ) {
    super(`connection ${connectionId} is gone`, {cause, code: 'GONE', exit: ExitCode.failure})
  }
}

/** The connections table (Scan) and the `@connections` API (POST, DELETE) of one stage. */
export class ConnectionsApi {
  constructor(
    private readonly dynamoSdk: typeof DynamoDbSdk,
    private readonly dynamo: DynamoDbSdk.DynamoDBClient,
    private readonly managementSdk: typeof ManagementSdk,
    private readonly management: ManagementSdk.ApiGatewayManagementApiClient,
    private readonly context: Omit<AwsCallContext, 'operation' | 'service'>,
    private readonly managementEndpoint: string,
  ) {}

  /**
   * Every item of the table, page by page (a Scan page stops at 1 MB); with `attributes`, only those attributes of
   * each item (a projection through placeholders, since key names come from the template and may be reserved words).
   */
  async *scan(tableName: string, attributes?: string[]): AsyncGenerator<PlainItem> {
    const projection = attributes?.length
      ? {
          ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name])),
          ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
        }
      : {}
    let startKey: Record<string, DynamoDbSdk.AttributeValue> | undefined
    do {
      const exclusiveStartKey = startKey
      // eslint-disable-next-line no-await-in-loop
      const page = await this.call('DynamoDB', 'Scan', () =>
        this.dynamo.send(
          new this.dynamoSdk.ScanCommand({...projection, ExclusiveStartKey: exclusiveStartKey, TableName: tableName}),
        ),
      )
      for (const item of page.Items ?? [])
        yield Object.fromEntries(Object.entries(item).map(([key, value]) => [key, plain(value)]))
      startKey = page.LastEvaluatedKey
    } while (startKey)
  }

  async post(connectionId: string, data: Uint8Array): Promise<void> {
    await this.connectionCall(connectionId, 'PostToConnection', () =>
      this.management.send(new this.managementSdk.PostToConnectionCommand({ConnectionId: connectionId, Data: data})),
    )
  }

  async drop(connectionId: string): Promise<void> {
    await this.connectionCall(connectionId, 'DeleteConnection', () =>
      this.management.send(new this.managementSdk.DeleteConnectionCommand({ConnectionId: connectionId})),
    )
  }

  destroy(): void {
    this.dynamo.destroy()
    this.management.destroy()
  }

  private async connectionCall(connectionId: string, operation: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send()
    } catch (error) {
      if (awsErrorCode(error) === 'GoneException') throw new ConnectionGoneError(connectionId, error)
      throw toAwsCallError(error, {
        ...this.context,
        endpointUrl: this.managementEndpoint,
        operation,
        service: 'ApiGatewayManagementApi',
      })
    }
  }

  private async call<T>(service: 'DynamoDB', operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send()
    } catch (error) {
      throw toAwsCallError(error, {...this.context, operation, service})
    }
  }
}

export async function createConnectionsApi(endpoints: ConnectionsEndpoints): Promise<ConnectionsApi> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const [dynamoSdk, managementSdk] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/client-apigatewaymanagementapi'),
  ])
  const {aws} = endpoints
  const credentials =
    aws.credentials ?? (await import('@aws-sdk/credential-providers')).fromNodeProviderChain({profile: aws.profile})
  const common = {credentials, maxAttempts: aws.maxAttempts ?? 8, region: endpoints.region, retryMode: 'adaptive'}
  const dynamodbEndpoint = endpoints.dynamodbEndpoint ?? aws.endpointUrl
  const dynamo = new dynamoSdk.DynamoDBClient({...common, endpoint: dynamodbEndpoint})
  const management = new managementSdk.ApiGatewayManagementApiClient({
    ...common,
    endpoint: endpoints.managementEndpoint,
  })
  const context = {
    endpointUrl: endpoints.dynamodbEndpoint ?? customEndpoint(aws, 'DYNAMODB'),
    profile: aws.profile,
    region: endpoints.region,
  }
  return new ConnectionsApi(dynamoSdk, dynamo, managementSdk, management, context, endpoints.managementEndpoint)
}
