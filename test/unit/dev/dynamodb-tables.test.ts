import assert from 'node:assert/strict'

import {startLocalDynamo} from '../../../src/lib/dev/dynamodb.js'
import {dynamoCall, ensureTable, keySchema, withoutThroughput} from '../../../src/lib/dev/dynamodb-tables.js'
import type {TableModel} from '../../../src/lib/project/index.js'

const model: TableModel = {
  attributeDefinitions: [
    {name: 'pk', type: 'S'},
    {name: 'room', type: 'S'},
  ],
  hashKey: {name: 'pk', type: 'S'},
  logicalId: 'Items',
}

describe('dev: DynamoDB tables', function () {
  this.timeout(30_000)

  it('key schemas follow the model: HASH, then RANGE when there is one', () => {
    assert.deepEqual(keySchema(model), [{AttributeName: 'pk', KeyType: 'HASH'}])
    assert.deepEqual(keySchema({...model, rangeKey: {name: 'sk', type: 'N'}}), [
      {AttributeName: 'pk', KeyType: 'HASH'},
      {AttributeName: 'sk', KeyType: 'RANGE'},
    ])
  })

  it('drop the ProvisionedThroughput of indexes (tables are on demand)', () => {
    assert.deepEqual(withoutThroughput([{IndexName: 'byRoom', ProvisionedThroughput: {ReadCapacityUnits: 5}}]), [
      {IndexName: 'byRoom'},
    ])
    assert.equal(withoutThroughput(undefined), undefined)
  })

  it('creates a table with its indexes once, and accepts it again with the same keys only', async () => {
    const dynamo = await startLocalDynamo({tables: []})
    try {
      const table = {
        indexes: {
          global: [
            {
              IndexName: 'byRoom',
              KeySchema: [{AttributeName: 'room', KeyType: 'HASH'}],
              Projection: {ProjectionType: 'ALL'},
              ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1},
            },
          ],
        },
        model,
        name: 'app-items',
      }
      await ensureTable(dynamo.endpoint, table)
      await ensureTable(dynamo.endpoint, table)
      const described = await dynamoCall<{
        Table: {GlobalSecondaryIndexes: Array<{IndexName: string}>; KeySchema: unknown}
      }>(dynamo.endpoint, 'DescribeTable', {TableName: 'app-items'})
      assert.deepEqual(described.Table.KeySchema, [{AttributeName: 'pk', KeyType: 'HASH'}])
      assert.deepEqual(
        described.Table.GlobalSecondaryIndexes.map((index) => index.IndexName),
        ['byRoom'],
      )
      await assert.rejects(
        ensureTable(dynamo.endpoint, {model: {...model, hashKey: {name: 'room', type: 'S'}}, name: 'app-items'}),
        /has other keys than template\.yaml/,
      )
    } finally {
      await dynamo.close()
    }
  })

  it("rejects a failed call with DynamoDB's message and error type", async () => {
    const dynamo = await startLocalDynamo({tables: []})
    try {
      await assert.rejects(
        dynamoCall(dynamo.endpoint, 'DescribeTable', {TableName: 'missing'}),
        (error: Error & {type?: string}) =>
          error.type === 'ResourceNotFoundException' && /missing|not found/i.test(error.message),
      )
    } finally {
      await dynamo.close()
    }
  })
})
