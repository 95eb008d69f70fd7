import {dynamoCall, type LocalTable} from './dynamodb-tables.js'

/**
 * Time to Live, which dynalite lacks: the TTL attribute of each table (the template's, then UpdateTimeToLive's),
 * DescribeTimeToLive and UpdateTimeToLive answered from it, and expired items deleted by a sweep.
 */
export class TimeToLive {
  private readonly attributes: Map<string, string>

  constructor(private readonly tables: LocalTable[]) {
    this.attributes = new Map(
      tables.filter((table) => table.model.ttlAttribute).map((table) => [table.name, table.model.ttlAttribute!]),
    )
  }

  /** The TTL attribute of a table, if TTL is enabled on it. */
  attribute(tableName: string): string | undefined {
    return this.attributes.get(tableName)
  }

  /** The answer to a DescribeTimeToLive or UpdateTimeToLive call (by its X-Amz-Target); undefined for other operations. */
  answer(target: string, body: Buffer): unknown {
    if (!target.endsWith('.DescribeTimeToLive') && !target.endsWith('.UpdateTimeToLive')) return undefined
    const {TableName: tableName, TimeToLiveSpecification: specification} = JSON.parse(
      body.toString('utf8') || '{}',
    ) as {
      TableName?: string
      TimeToLiveSpecification?: {AttributeName: string; Enabled: boolean}
    }
    if (specification && tableName) {
      if (specification.Enabled) this.attributes.set(tableName, specification.AttributeName)
      else this.attributes.delete(tableName)
      return {TimeToLiveSpecification: specification}
    }

    const attribute = tableName ? this.attributes.get(tableName) : undefined
    return {
      TimeToLiveDescription: attribute
        ? {AttributeName: attribute, TimeToLiveStatus: 'ENABLED'}
        : {TimeToLiveStatus: 'DISABLED'},
    }
  }

  /** Deletes the items whose TTL attribute is in the past; returns how many. */
  async sweepExpired(endpoint: string, now = Math.floor(Date.now() / 1000)): Promise<number> {
    let deleted = 0
    for (const table of this.tables) {
      const attribute = this.attributes.get(table.name)
      if (!attribute) continue
      let startKey: unknown
      do {
        // eslint-disable-next-line no-await-in-loop -- pages are sequential
        const page = await dynamoCall<{Items?: Array<Record<string, unknown>>; LastEvaluatedKey?: unknown}>(
          endpoint,
          'Scan',
          {
            ExclusiveStartKey: startKey,
            ExpressionAttributeNames: {'#ttl': attribute},
            ExpressionAttributeValues: {':now': {N: String(now)}},
            FilterExpression: '#ttl < :now',
            TableName: table.name,
          },
        )
        for (const item of page.Items ?? []) {
          const key: Record<string, unknown> = {[table.model.hashKey.name]: item[table.model.hashKey.name]}
          if (table.model.rangeKey) key[table.model.rangeKey.name] = item[table.model.rangeKey.name]
          // eslint-disable-next-line no-await-in-loop
          await dynamoCall(endpoint, 'DeleteItem', {Key: key, TableName: table.name})
          deleted++
        }

        startKey = page.LastEvaluatedKey
      } while (startKey)
    }

    return deleted
  }
}
