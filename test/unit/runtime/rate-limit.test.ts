import assert from 'node:assert/strict'
import type {Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import {mockClient} from 'aws-sdk-client-mock'

import {ConnectionsTable} from '../../../runtime/connections.js'
import {
  BUCKET_ATTRIBUTE,
  type RateLimit,
  rateLimitedReply,
  rateLimitFromEnv,
  takeMessageToken,
} from '../../../runtime/rate-limit.js'

const LIMIT: RateLimit = {burst: 3, count: 10, per: 'second'}
const NOW = 1_700_000_000_000
const SENDER = 'SenderConnId01A='

describe('runtime rate limit', () => {
  describe('rateLimitFromEnv', () => {
    it('reads the rate and burst the template sets', () => {
      assert.deepEqual(rateLimitFromEnv({RATE_LIMIT: '10/s', RATE_LIMIT_BURST: '20'}), {
        burst: 20,
        count: 10,
        per: 'second',
      })
      assert.deepEqual(rateLimitFromEnv({RATE_LIMIT: '30/m', RATE_LIMIT_BURST: '3'}), {
        burst: 3,
        count: 30,
        per: 'minute',
      })
      assert.deepEqual(rateLimitFromEnv({RATE_LIMIT: '2.5/s', RATE_LIMIT_BURST: '1'}), {
        burst: 1,
        count: 2.5,
        per: 'second',
      })
    })

    it("means no limit for a missing, zero, off or malformed rate, and two seconds' worth for a missing burst", () => {
      for (const rate of [undefined, '', '0/s', 'off', '10', 'ten/s', '10/h'])
        assert.equal(rateLimitFromEnv({RATE_LIMIT: rate}), undefined, String(rate))
      assert.deepEqual(rateLimitFromEnv({RATE_LIMIT: '10/s'}), {burst: 20, count: 10, per: 'second'})
      assert.deepEqual(rateLimitFromEnv({RATE_LIMIT: '90/m', RATE_LIMIT_BURST: '-2'}), {
        burst: 3,
        count: 90,
        per: 'minute',
      })
      assert.deepEqual(rateLimitFromEnv({RATE_LIMIT: '6/m'}), {burst: 1, count: 6, per: 'minute'})
    })
  })

  it('replies with an error the sender can act on', () => {
    assert.deepEqual(JSON.parse(rateLimitedReply({burst: 20, count: 10, per: 'second'}, 250)), {
      error: 'Rate limited: send at most 10 messages per second, 20 at once; this one was dropped, retry in 250 ms.',
      retryAfterMs: 250,
    })
  })

  describe('takeMessageToken (mocked DynamoDB)', () => {
    const table = new ConnectionsTable({
      client: new DynamoDBClient({region: 'us-east-1'}),
      idAttribute: 'cid',
      tableName: 'connections',
    })
    const dynamodb = mockClient(table.client)
    beforeEach(() => dynamodb.reset())
    after(() => dynamodb.restore())

    const stored = (fullAt?: number) => ({
      Item: {cid: {S: SENDER}, ...(fullAt === undefined ? {} : {[BUCKET_ATTRIBUTE]: {N: String(fullAt)}})},
    })

    it('starts a full bucket on the first message, with a write that cannot create an item', async () => {
      dynamodb.on(GetItemCommand).resolves(stored())
      dynamodb.on(UpdateItemCommand).resolves({})

      assert.deepEqual(await takeMessageToken(table, SENDER, LIMIT, () => NOW), {allowed: true})

      const get = dynamodb.commandCalls(GetItemCommand)[0].args[0].input
      assert.deepEqual(get.Key, {cid: {S: SENDER}})
      assert.equal(get.ConsistentRead, false)
      const update = dynamodb.commandCalls(UpdateItemCommand)[0].args[0].input
      assert.equal(update.ConditionExpression, 'attribute_exists(#id) AND attribute_not_exists(#bucket)')
      assert.deepEqual(update.ExpressionAttributeNames, {'#bucket': BUCKET_ATTRIBUTE, '#id': 'cid'})
      assert.deepEqual(update.ExpressionAttributeValues, {':next': {N: String(NOW + 100)}})
    })

    it('writes only if nobody wrote since the read, moving the bucket one interval on', async () => {
      dynamodb.on(GetItemCommand).resolves(stored(NOW + 150))
      dynamodb.on(UpdateItemCommand).resolves({})

      assert.deepEqual(await takeMessageToken(table, SENDER, LIMIT, () => NOW), {allowed: true})

      const update = dynamodb.commandCalls(UpdateItemCommand)[0].args[0].input
      assert.equal(update.ConditionExpression, '#bucket = :stored')
      assert.deepEqual(update.ExpressionAttributeValues, {
        ':next': {N: String(NOW + 250)},
        ':stored': {N: String(NOW + 150)},
      })
    })

    it('refills with time: a bucket full in the past counts from now', async () => {
      dynamodb.on(GetItemCommand).resolves(stored(NOW - 60_000))
      dynamodb.on(UpdateItemCommand).resolves({})

      assert.deepEqual(await takeMessageToken(table, SENDER, LIMIT, () => NOW), {allowed: true})
      assert.deepEqual(dynamodb.commandCalls(UpdateItemCommand)[0].args[0].input.ExpressionAttributeValues?.[':next'], {
        N: String(NOW + 100),
      })
    })

    it('limits an empty bucket with one read and no write, saying when a token is back', async () => {
      // Three tokens taken at once: full again 300 ms from now; the fourth must wait 100 ms.
      dynamodb.on(GetItemCommand).resolves(stored(NOW + 300))

      assert.deepEqual(await takeMessageToken(table, SENDER, LIMIT, () => NOW), {allowed: false, retryAfterMs: 100})
      assert.deepEqual(await takeMessageToken(table, SENDER, LIMIT, () => NOW + 40), {allowed: false, retryAfterMs: 60})
      assert.equal(dynamodb.commandCalls(GetItemCommand).length, 2)
      assert.equal(dynamodb.commandCalls(UpdateItemCommand).length, 0)
    })

    it('reads again, consistently, when a concurrent message wrote first', async () => {
      dynamodb
        .on(GetItemCommand)
        .resolvesOnce(stored(NOW + 100))
        .resolves(stored(NOW + 200))
      dynamodb
        .on(UpdateItemCommand)
        .rejectsOnce(new ConditionalCheckFailedException({$metadata: {}, message: 'The conditional request failed'}))
        .resolves({})

      assert.deepEqual(await takeMessageToken(table, SENDER, LIMIT, () => NOW), {allowed: true})

      assert.deepEqual(
        dynamodb.commandCalls(GetItemCommand).map((call) => call.args[0].input.ConsistentRead),
        [false, true],
      )
      assert.deepEqual(dynamodb.commandCalls(UpdateItemCommand)[1].args[0].input.ExpressionAttributeValues, {
        ':next': {N: String(NOW + 300)},
        ':stored': {N: String(NOW + 200)},
      })
    })

    it('reads the clock again for each attempt, as a concurrent writer may have counted from a later one', async () => {
      const times = [NOW, NOW + 30]
      dynamodb
        .on(GetItemCommand)
        .resolvesOnce(stored())
        .resolves(stored(NOW + 10))
      dynamodb
        .on(UpdateItemCommand)
        .rejectsOnce(new ConditionalCheckFailedException({$metadata: {}, message: 'The conditional request failed'}))
        .resolves({})

      assert.deepEqual(await takeMessageToken(table, SENDER, LIMIT, () => times.shift()!), {allowed: true})
      assert.deepEqual(dynamodb.commandCalls(UpdateItemCommand)[1].args[0].input.ExpressionAttributeValues?.[':next'], {
        N: String(NOW + 130),
      })
    })

    it('spaces tokens by the period over the count: 30 per minute is one every 2 s', async () => {
      dynamodb.on(GetItemCommand).resolves(stored())
      dynamodb.on(UpdateItemCommand).resolves({})

      await takeMessageToken(table, SENDER, {burst: 1, count: 30, per: 'minute'}, () => NOW)

      assert.deepEqual(dynamodb.commandCalls(UpdateItemCommand)[0].args[0].input.ExpressionAttributeValues?.[':next'], {
        N: String(NOW + 2000),
      })
    })

    it('ends, limited, when every write loses (a race it cannot win is never taken as allowed)', async () => {
      dynamodb.on(GetItemCommand).resolves(stored(NOW))
      dynamodb
        .on(UpdateItemCommand)
        .rejects(new ConditionalCheckFailedException({$metadata: {}, message: 'The conditional request failed'}))

      assert.deepEqual(await takeMessageToken(table, SENDER, LIMIT, () => NOW), {allowed: false, retryAfterMs: 100})
      // At most burst + 2 rounds: each real loss means another message took a token.
      assert.equal(dynamodb.commandCalls(UpdateItemCommand).length, LIMIT.burst + 2)
    })

    it('fails open when DynamoDB refuses, saying why', async () => {
      const throttled = new ProvisionedThroughputExceededException({$metadata: {}, message: 'Rate exceeded'})
      dynamodb.on(GetItemCommand).rejects(throttled)

      const decision = await takeMessageToken(table, SENDER, LIMIT, () => NOW)

      assert.equal(decision.allowed, true)
      assert.equal(decision.allowed && decision.error, throttled)
    })

    it('fails open for a connection with no item, after a consistent read, and creates none', async () => {
      dynamodb.on(GetItemCommand).resolves({})

      const decision = await takeMessageToken(table, SENDER, LIMIT, () => NOW)

      assert.equal(decision.allowed, true)
      assert.match(String(decision.allowed && decision.error), /not in the connections table/)
      assert.deepEqual(
        dynamodb.commandCalls(GetItemCommand).map((call) => call.args[0].input.ConsistentRead),
        [false, true],
      )
      assert.equal(dynamodb.commandCalls(UpdateItemCommand).length, 0)
    })
  })

  describe('takeMessageToken (against dynalite)', function () {
    this.timeout(20_000)
    let server: Server
    let client: DynamoDBClient
    let table: ConnectionsTable

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
      table = new ConnectionsTable({client, idAttribute: 'cid', tableName: 'connections'})
    })

    after(async () => {
      client?.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    })

    it('lets exactly the burst through when many messages race (as from several Lambda instances), then refills at the rate', async () => {
      await table.add(SENDER, NOW)
      const limit: RateLimit = {burst: 5, count: 2, per: 'second'}
      // Twelve messages at the same instant, each with its own client as separate Lambda instances would have.
      const decisions = await Promise.all(
        Array.from({length: 12}, () =>
          takeMessageToken(
            new ConnectionsTable({client, idAttribute: 'cid', tableName: 'connections'}),
            SENDER,
            limit,
            () => NOW,
          ),
        ),
      )
      assert.equal(decisions.filter((decision) => decision.allowed).length, 5)
      assert.ok(
        decisions.every((decision) => (decision.allowed ? decision.error === undefined : decision.retryAfterMs > 0)),
      )

      // 500 ms later one token is back (2 per second), and only one.
      assert.deepEqual(await takeMessageToken(table, SENDER, limit, () => NOW + 500), {allowed: true})
      assert.deepEqual(await takeMessageToken(table, SENDER, limit, () => NOW + 500), {
        allowed: false,
        retryAfterMs: 500,
      })

      const item = await client.send(
        new GetItemCommand({ConsistentRead: true, Key: {cid: {S: SENDER}}, TableName: 'connections'}),
      )
      assert.deepEqual(Object.keys(item.Item!).sort(), ['bucketFullAt', 'cid', 'connectedAt', 'expiresAt'])
    })

    it('keeps fractional intervals exact: 3 per second is a token every 333.3 ms', async () => {
      const id = 'ThirdsConnId01='
      await table.add(id, NOW)
      const limit: RateLimit = {burst: 2, count: 3, per: 'second'}
      const at = (ms: number) => takeMessageToken(table, id, limit, () => NOW + ms)
      assert.deepEqual([await at(0), await at(0)], [{allowed: true}, {allowed: true}])
      assert.deepEqual(await at(0), {allowed: false, retryAfterMs: 334})
      assert.deepEqual(await at(333), {allowed: false, retryAfterMs: 1})
      assert.deepEqual(await at(334), {allowed: true})
      assert.deepEqual(await at(334), {allowed: false, retryAfterMs: 333})
    })

    it('never creates an item for a connection that is not stored', async () => {
      const decision = await takeMessageToken(table, 'GoneConnId0001=', LIMIT, () => NOW)
      assert.equal(decision.allowed, true)
      const item = await client.send(
        new GetItemCommand({ConsistentRead: true, Key: {cid: {S: 'GoneConnId0001='}}, TableName: 'connections'}),
      )
      assert.equal(item.Item, undefined)
    })
  })
})
