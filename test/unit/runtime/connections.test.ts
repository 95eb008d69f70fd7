import assert from 'node:assert/strict'
import type {Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {CreateTableCommand, DynamoDBClient, GetItemCommand} from '@aws-sdk/client-dynamodb'

import {CONNECTING_MS, ConnectionsTable} from '../../../runtime/connections.js'

describe('runtime ConnectionsTable (against dynalite)', function () {
  this.timeout(20_000)
  let server: Server
  let client: DynamoDBClient

  before(async () => {
    const {default: dynalite} = await import('dynalite')
    server = dynalite({createTableMs: 0, deleteTableMs: 0, updateTableMs: 0})
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    client = new DynamoDBClient({
      credentials: {accessKeyId: 'local', secretAccessKey: 'local'},
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
    })
    await client.send(
      new CreateTableCommand({
        AttributeDefinitions: [{AttributeName: 'cid', AttributeType: 'S'}],
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{AttributeName: 'cid', KeyType: 'HASH'}],
        TableName: 'connections',
      }),
    )
  })

  after(async () => {
    client?.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('its own DynamoDB client caches the SDK middleware chain (less CPU per call in a warm function)', () => {
    const table = new ConnectionsTable({idAttribute: 'cid', tableName: 'connections'})
    assert.equal(table.client.config.cacheMiddleware, true)
    table.client.destroy()
  })

  it('stores connectedAt and a 2-hour expiry, lists every id across pages, and removes', async () => {
    const table = new ConnectionsTable({client, idAttribute: 'cid', pageSize: 10, tableName: 'connections'})
    const ids = Array.from({length: 25}, (_, i) => `Conn${String(i).padStart(11, '0')}=`)
    for (const id of ids) await table.add(id, 1_700_000_000_500)

    const item = await client.send(new GetItemCommand({Key: {cid: {S: ids[0]}}, TableName: 'connections'}))
    assert.deepEqual(item.Item, {
      cid: {S: ids[0]},
      connectedAt: {N: '1700000000500'},
      expiresAt: {N: String(1_700_000_000 + 7200)},
    })

    const listed: string[] = []
    for await (const id of table.ids()) listed.push(id)
    assert.deepEqual(listed.sort(), [...ids].sort())

    await table.remove(ids[3])
    const after: string[] = []
    for await (const id of table.ids()) after.push(id)
    assert.equal(after.length, 24)
    assert.ok(!after.includes(ids[3]))
  })

  it('removeGone removes a connection that connected long enough ago, never one that may still be connecting', async () => {
    const table = new ConnectionsTable({client, idAttribute: 'cid', tableName: 'connections'})
    const now = 1_700_000_100_000
    await table.add('OldConnection0A=', now - CONNECTING_MS - 1)
    await table.add('JoiningConnec0A=', now - 5)
    assert.equal(await table.removeGone('OldConnection0A=', now), true)
    assert.equal(await table.removeGone('JoiningConnec0A=', now), false)
    assert.equal(await table.removeGone('NeverStored000A=', now), true)
    const left: string[] = []
    for await (const id of table.ids()) left.push(id)
    assert.ok(left.includes('JoiningConnec0A='))
    assert.ok(!left.includes('OldConnection0A='))
  })
})
