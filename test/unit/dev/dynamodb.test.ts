import assert from 'node:assert/strict'
import {join} from 'node:path'

import {
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  UpdateTimeToLiveCommand,
  DescribeTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb'

import {startLocalDynamo} from '../../../src/lib/dev/dynamodb.js'
import type {TableModel} from '../../../src/lib/project/index.js'
import {tempDir} from '../../helpers/tmp.js'

const model: TableModel = {
  attributeDefinitions: [
    {name: 'pk', type: 'S'},
    {name: 'sk', type: 'N'},
  ],
  hashKey: {name: 'pk', type: 'S'},
  logicalId: 'Items',
  rangeKey: {name: 'sk', type: 'N'},
  ttlAttribute: 'expiresAt',
}

describe('dev DynamoDB (dynalite)', function () {
  this.timeout(20_000)
  before(() => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  })

  const client = (endpoint: string) =>
    new DynamoDBClient({credentials: {accessKeyId: 'a', secretAccessKey: 'b'}, endpoint, region: 'us-east-1'})

  it('creates the tables with their keys, and sweeps items whose TTL has passed', async () => {
    const dynamo = await startLocalDynamo({tables: [{model, name: 'items'}]})
    const ddb = client(dynamo.endpoint)
    try {
      const described = await ddb.send(new DescribeTableCommand({TableName: 'items'}))
      assert.deepEqual(described.Table?.KeySchema, [
        {AttributeName: 'pk', KeyType: 'HASH'},
        {AttributeName: 'sk', KeyType: 'RANGE'},
      ])
      assert.equal(described.Table?.TableStatus, 'ACTIVE')
      const now = Math.floor(Date.now() / 1000)
      await ddb.send(
        new PutItemCommand({
          Item: {expiresAt: {N: String(now - 10)}, pk: {S: 'old'}, sk: {N: '1'}},
          TableName: 'items',
        }),
      )
      await ddb.send(
        new PutItemCommand({
          Item: {expiresAt: {N: String(now + 3600)}, pk: {S: 'new'}, sk: {N: '1'}},
          TableName: 'items',
        }),
      )
      await ddb.send(new PutItemCommand({Item: {pk: {S: 'forever'}, sk: {N: '1'}}, TableName: 'items'}))
      assert.equal(await dynamo.sweepExpired(), 1)
      const left = await ddb.send(new ScanCommand({TableName: 'items'}))
      assert.deepEqual(left.Items?.map((item) => item.pk.S).sort(), ['forever', 'new'])
      // UpdateTimeToLive, which dynalite lacks, works and is reported back.
      await ddb.send(
        new UpdateTimeToLiveCommand({
          TableName: 'items',
          TimeToLiveSpecification: {AttributeName: 'ttl2', Enabled: true},
        }),
      )
      const ttl = await ddb.send(new DescribeTimeToLiveCommand({TableName: 'items'}))
      assert.deepEqual(ttl.TimeToLiveDescription, {AttributeName: 'ttl2', TimeToLiveStatus: 'ENABLED'})
    } finally {
      ddb.destroy()
      await dynamo.close()
    }
  })

  it('survives a client that drops mid-request', async () => {
    const dynamo = await startLocalDynamo({tables: [{model, name: 'items'}]})
    const {request} = await import('node:http')
    const dropped = request(`${dynamo.endpoint}/`, {
      headers: {'content-length': '1000', 'x-amz-target': 'DynamoDB_20120810.Scan'},
      method: 'POST',
    })
    dropped.on('error', () => {})
    // Half a body on the wire, then the client goes away.
    await new Promise((resolve) => dropped.write('{"TableName"', resolve))
    await new Promise((resolve) => {
      dropped.once('close', resolve)
      dropped.destroy()
    })
    const ddb = client(dynamo.endpoint)
    await ddb.send(new DeleteItemCommand({Key: {pk: {S: 'x'}, sk: {N: '1'}}, TableName: 'items'}))
    ddb.destroy()
    await dynamo.close()
  })

  it('close() lets the requests already received finish (none dies on a closed database), then stops', async () => {
    // The latency holds each request before dynalite sees it: close() lands while they are still waiting.
    const dynamo = await startLocalDynamo({latencyMs: 1000, tables: [{model, name: 'items'}]})
    const ddb = client(dynamo.endpoint)
    const before = dynamo.received
    const writes = Array.from({length: 15}, (_, i) =>
      ddb.send(new PutItemCommand({Item: {pk: {S: `p${i}`}, sk: {N: '1'}}, TableName: 'items'})),
    )
    const deletes = Array.from({length: 15}, (_, i) =>
      ddb.send(new DeleteItemCommand({Key: {pk: {S: `d${i}`}, sk: {N: '1'}}, TableName: 'items'})),
    )
    // Close once the server has all 30 (however long a busy machine takes to send them), not after a guess.
    while (dynamo.received - before < 30) {
      // Waiting for the server to read the requests.
      await new Promise((resolve) => setTimeout(resolve, 5))
    }

    await dynamo.close()
    const results = await Promise.allSettled([...writes, ...deletes])
    assert.deepEqual(
      results.map((result) => result.status),
      Array.from({length: 30}, () => 'fulfilled'),
    )
    // Closed: a new request is refused, not served by a closed database.
    await assert.rejects(ddb.send(new ScanCommand({TableName: 'items'})))
    ddb.destroy()
  })

  it('refuses a persisted table whose keys differ from the template', async () => {
    const path = join(tempDir(), 'store')
    const first = await startLocalDynamo({persistDir: path, tables: [{model, name: 'items'}]})
    await first.close()
    await assert.rejects(
      startLocalDynamo({persistDir: path, tables: [{model: {...model, rangeKey: undefined}, name: 'items'}]}),
      (error: Error & {exit?: number}) =>
        error.exit === 2 && /Table Items \(items\) in the --persist folder has other keys/.test(error.message),
    )
  })
})
