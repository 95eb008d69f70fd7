import {
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb'

import {MAX_CONNECTION_SECONDS} from './limits.js'

/**
 * How long after `connectedAt` a connection may still be in its handshake: $connect runs for at most API
 * Gateway's 29-second integration timeout. Meanwhile @connections already answers 410 for it, although
 * $connect has stored it.
 */
export const CONNECTING_MS = 30_000

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
    await this.client.send(
      new DeleteItemCommand({Key: {[this.idAttribute]: {S: connectionId}}, TableName: this.tableName}),
    )
  }

  /**
   * Removes a connection that a post found gone (410), unless it connected less than CONNECTING_MS ago: it may be
   * a client whose $connect is still running, stored already and about to be open; removing it would cut it
   * off from every later broadcast. A young one that had really gone is removed by $disconnect, or later.
   * Returns whether it was removed.
   */
  async removeGone(connectionId: string, now = Date.now()): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          ConditionExpression: 'attribute_not_exists(connectedAt) OR connectedAt < :connectingSince',
          ExpressionAttributeValues: {':connectingSince': {N: String(now - CONNECTING_MS)}},
          Key: {[this.idAttribute]: {S: connectionId}},
          TableName: this.tableName,
        }),
      )
      return true
    } catch (error) {
      if ((error as {name?: string}).name === 'ConditionalCheckFailedException') return false
      throw error
    }
  }

  /** Every stored connection id, page by page (a Scan returns at most 1 MB per call). */
  async *ids(): AsyncGenerator<string> {
    let startKey: ScanKey | undefined
    do {
      // Each page starts where the previous one ended.
      const page = await this.page({startKey})
      yield* page.ids
      startKey = page.nextKey
    } while (startKey)
  }

  /**
   * One Scan page of connection ids: of the whole table, or of one segment of a parallel scan
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.ParallelScan).
   * `nextKey` is absent on the last page.
   */
  async page(options: ScanPageOptions = {}): Promise<{ids: string[]; nextKey?: ScanKey}> {
    const page = await this.client.send(
      new ScanCommand({
        ExclusiveStartKey: options.startKey,
        ExpressionAttributeNames: {'#id': this.idAttribute},
        Limit: options.limit ?? this.pageSize,
        ProjectionExpression: '#id',
        Segment: options.segment?.index,
        TableName: this.tableName,
        TotalSegments: options.segment?.total,
      }),
    )
    const ids = (page.Items ?? []).map((item) => item[this.idAttribute]?.S).filter((id): id is string => Boolean(id))
    return {ids, nextKey: page.LastEvaluatedKey}
  }
}

/** Where a Scan resumes: the LastEvaluatedKey of the page before. */
export type ScanKey = Record<string, AttributeValue>

export interface ScanPageOptions {
  /** Items to read at most; DynamoDB also stops each page at 1 MB. */
  limit?: number
  /** One segment of a parallel scan: `index` from 0 to `total` - 1. */
  segment?: {index: number; total: number}
  startKey?: ScanKey
}
