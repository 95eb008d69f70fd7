import assert from 'node:assert/strict'

import {startLocalDynamo} from '../../../src/lib/dev/dynamodb.js'
import {dynamoCall} from '../../../src/lib/dev/dynamodb-tables.js'
import {TimeToLive} from '../../../src/lib/dev/dynamodb-ttl.js'
import type {TableModel} from '../../../src/lib/project/index.js'

const model: TableModel = {
  attributeDefinitions: [{name: 'pk', type: 'S'}],
  hashKey: {name: 'pk', type: 'S'},
  logicalId: 'Items',
  ttlAttribute: 'expiresAt',
}
const body = (value: unknown) => Buffer.from(JSON.stringify(value))

describe('dev: DynamoDB Time to Live', function () {
  this.timeout(30_000)

  it("describes the template's TTL attribute, and takes UpdateTimeToLive", () => {
    const ttl = new TimeToLive([
      {model, name: 'items'},
      {model: {...model, ttlAttribute: undefined}, name: 'plain'},
    ])
    assert.deepEqual(ttl.answer('DynamoDB_20120810.DescribeTimeToLive', body({TableName: 'items'})), {
      TimeToLiveDescription: {AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED'},
    })
    assert.deepEqual(ttl.answer('DynamoDB_20120810.DescribeTimeToLive', body({TableName: 'plain'})), {
      TimeToLiveDescription: {TimeToLiveStatus: 'DISABLED'},
    })
    const specification = {AttributeName: 'until', Enabled: true}
    assert.deepEqual(
      ttl.answer(
        'DynamoDB_20120810.UpdateTimeToLive',
        body({TableName: 'plain', TimeToLiveSpecification: specification}),
      ),
      {TimeToLiveSpecification: specification},
    )
    assert.equal(ttl.attribute('plain'), 'until')
    ttl.answer(
      'DynamoDB_20120810.UpdateTimeToLive',
      body({TableName: 'items', TimeToLiveSpecification: {AttributeName: 'expiresAt', Enabled: false}}),
    )
    assert.equal(ttl.attribute('items'), undefined)
    assert.equal(ttl.answer('DynamoDB_20120810.PutItem', body({})), undefined)
  })

  it('sweeps the items whose TTL attribute is in the past, across pages', async () => {
    const tables = [{model, name: 'items'}]
    const dynamo = await startLocalDynamo({tables})
    try {
      const ttl = new TimeToLive(tables)
      // dynalite makes a new table ACTIVE on its next tick.
      while (
        (await dynamoCall<{Table: {TableStatus: string}}>(dynamo.endpoint, 'DescribeTable', {TableName: 'items'})).Table
          .TableStatus !== 'ACTIVE'
      );
      const now = 1_000_000
      for (let index = 0; index < 30; index++) {
        await dynamoCall(dynamo.endpoint, 'PutItem', {
          Item: {
            expiresAt: {N: String(index % 2 === 0 ? now - 1 : now + 1)},
            pk: {S: `k${index}`},
            pad: {S: 'x'.repeat(60_000)},
          },
          TableName: 'items',
        })
      }

      await dynamoCall(dynamo.endpoint, 'PutItem', {Item: {pk: {S: 'forever'}}, TableName: 'items'})
      assert.equal(await ttl.sweepExpired(dynamo.endpoint, now), 15)
      const left = await dynamoCall<{Count: number}>(dynamo.endpoint, 'Scan', {Select: 'COUNT', TableName: 'items'})
      assert.equal(left.Count, 16)
    } finally {
      await dynamo.close()
    }
  })
})
