import {DeleteItemCommand, DynamoDBClient, PutItemCommand, ScanCommand, type AttributeValue} from '@aws-sdk/client-dynamodb'

/** API Gateway ends every WebSocket connection after 2 hours, so a stored connection can expire then. */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60

export interface ConnectionsTableOptions {
  client?: DynamoDBClient
  /** Name of the key attribute holding the connection id. */
  idAttribute: string
  /** Items per Scan call; DynamoDB also stops each page at 1 MB. */
  pageSize?: number
  tableName: string
}

/** The connections table: one item per open connection, keyed by its id, expiring via TTL on `expiresAt`. */
export class ConnectionsTable {
  readonly client: DynamoDBClient
  readonly idAttribute: string
  readonly pageSize?: number
  readonly tableName: string

  constructor(options: ConnectionsTableOptions) {
    this.client = options.client ?? new DynamoDBClient({cacheMiddleware: true})
    this.idAttribute = options.idAttribute
    this.pageSize = options.pageSize
    this.tableName = options.tableName
  }

  /** Stores `{id, connectedAt, expiresAt}`; `connectedAt` is the epoch milliseconds API Gateway reports. */
  async add(connectionId: string, connectedAt: number): Promise<void> {
    const expiresAt = Math.floor(connectedAt / 1000) + MAX_CONNECTION_SECONDS
    await this.client.send(
      new PutItemCommand({
        Item: {
          [this.idAttribute]: {S: connectionId},
          connectedAt: {N: String(connectedAt)},
          expiresAt: {N: String(expiresAt)},
        },
        TableName: this.tableName,
      }),
    )
  }

  async remove(connectionId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({Key: {[this.idAttribute]: {S: connectionId}}, TableName: this.tableName}))
  }

  /** Every stored connection id, page by page (a Scan returns at most 1 MB per call). */
  async *ids(): AsyncGenerator<string> {
    let startKey: Record<string, AttributeValue> | undefined
    do {
      // eslint-disable-next-line no-await-in-loop -- pages are sequential by nature
      const page = await this.client.send(
        new ScanCommand({
          ExclusiveStartKey: startKey,
          ExpressionAttributeNames: {'#id': this.idAttribute},
          Limit: this.pageSize,
          ProjectionExpression: '#id',
          TableName: this.tableName,
        }),
      )
      for (const item of page.Items ?? []) {
        const id = item[this.idAttribute]?.S
        if (id) yield id
      }

      startKey = page.LastEvaluatedKey
    } while (startKey)
  }
}
