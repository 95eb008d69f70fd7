import assert from 'node:assert/strict'

import {
  ApiGatewayManagementApiClient,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import {DeleteItemCommand, DynamoDBClient, ScanCommand, type ScanCommandInput} from '@aws-sdk/client-dynamodb'
import {InvokeCommand, LambdaClient, ServiceException} from '@aws-sdk/client-lambda'
import {mockClient} from 'aws-sdk-client-mock'

import {ConnectionsTable} from '../../../runtime/connections.js'
import {
  type BroadcastSpec,
  DEFAULT_FANOUT_INLINE_MAX,
  DEFAULT_FANOUT_SHARDS,
  deliver,
  type DeliverOptions,
  deliveryClient,
  dispatchShards,
  fanoutSettingsFromEnv,
  MAX_HANDOFFS,
  MAX_TRANSIENT_ATTEMPTS,
  planShards,
  type ShardTask,
} from '../../../runtime/fanout.js'
import {deliveryLogLine} from '../../../runtime/metrics.js'
import {DEFAULT_POSTS_PER_SECOND} from '../../../runtime/pacing.js'

const mockClients = () => ({
  api: mockClient(ApiGatewayManagementApiClient),
  dynamodb: mockClient(DynamoDBClient),
  lambda: mockClient(LambdaClient),
})
// Mocked for this file only (before/after): other files use the real clients.
let {api, dynamodb, lambda} = {} as ReturnType<typeof mockClients>

const BROADCAST: BroadcastSpec = {
  data: {n: 1, text: 'hello'},
  endpoint: 'https://abc.execute-api.us-east-1.amazonaws.com/v1',
  id: 'MsgId000000001=',
  route: 'sendmessage',
  startedAt: 0,
}
const TEXT = '{"n":1,"text":"hello"}'

const connectionId = (index: number) => `Conn${String(index).padStart(6, '0')}=`

/**
 * The connections table as DynamoDB's Scan serves it: each id belongs to one segment (as a hash range would
 * have it), a page stops at Limit items, and LastEvaluatedKey is the last id of a page that was cut short.
 */
function serveTable(ids: string[]) {
  const segmentOf = (id: string, total: number) =>
    [...id].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 1_000_003, 7) % total
  dynamodb.on(ScanCommand).callsFake((input: ScanCommandInput) => {
    const total = input.TotalSegments ?? 1
    const mine = ids.filter((id) => input.Segment === undefined || segmentOf(id, total) === input.Segment)
    const after = input.ExclusiveStartKey?.connectionId?.S
    const start = after === undefined ? 0 : mine.indexOf(after) + 1
    const page = mine.slice(start, start + (input.Limit ?? 10_000))
    const more = start + page.length < mine.length
    return {
      Items: page.map((id) => ({connectionId: {S: id}})),
      LastEvaluatedKey: more ? {connectionId: {S: page.at(-1)!}} : undefined,
    }
  })
  dynamodb.on(DeleteItemCommand).resolves({})
}

/** Who received what, in order. */
function posted(): string[] {
  return api.commandCalls(PostToConnectionCommand).map((call) => {
    assert.equal(new TextDecoder().decode(call.args[0].input.Data as Uint8Array), TEXT)
    return call.args[0].input.ConnectionId!
  })
}

/** A deadline on a clock that moves only when delivery sleeps (pacing, backoff), so that no test depends on the machine's speed. */
function fakeTime(timeoutMs = 300_000) {
  const time = {now: 0}
  return {
    clock: () => time.now,
    remainingMs: () => timeoutMs - time.now,
    async sleep(ms: number) {
      time.now += ms
    },
    time,
  }
}

function run(task: ShardTask, overrides: Partial<DeliverOptions> = {}) {
  const time = fakeTime()
  return deliver({
    client: deliveryClient(BROADCAST.endpoint),
    clock: time.clock,
    concurrency: 4,
    pageSize: 7,
    random: () => 0.5,
    remainingMs: time.remainingMs,
    sleep: time.sleep,
    table: new ConnectionsTable({idAttribute: 'connectionId', tableName: 'connections'}),
    task,
    ...overrides,
  })
}

const throttled = () => new LimitExceededException({$metadata: {httpStatusCode: 429}, message: 'Too Many Requests'})

describe('runtime fan-out', () => {
  before(() => {
    ;({api, dynamodb, lambda} = mockClients())
  })

  after(() => {
    dynamodb.restore()
    api.restore()
    lambda.restore()
  })

  beforeEach(() => {
    dynamodb.reset()
    api.reset()
    lambda.reset()
  })

  describe('settings and shard planning', () => {
    it('reads the fan-out function, shards, inline threshold and budget from the environment', () => {
      assert.throws(() => fanoutSettingsFromEnv({}), /FANOUT_FUNCTION is not set/)
      assert.deepEqual(fanoutSettingsFromEnv({FANOUT_FUNCTION: 'chat-v1-Fanout'}), {
        functionName: 'chat-v1-Fanout',
        inlineMax: DEFAULT_FANOUT_INLINE_MAX,
        postsPerSecond: DEFAULT_POSTS_PER_SECOND,
        shards: DEFAULT_FANOUT_SHARDS,
      })
      assert.deepEqual(
        fanoutSettingsFromEnv({
          FANOUT_FUNCTION: 'f',
          FANOUT_INLINE_MAX: '50',
          FANOUT_POSTS_PER_SECOND: '2500.5',
          FANOUT_SHARDS: '4',
        }),
        {
          functionName: 'f',
          inlineMax: 50,
          postsPerSecond: 2500.5,
          shards: 4,
        },
      )
      // A bad value falls back to the default rather than to a broadcast that reaches nobody.
      assert.deepEqual(
        fanoutSettingsFromEnv({
          FANOUT_FUNCTION: 'f',
          FANOUT_INLINE_MAX: '-1',
          FANOUT_POSTS_PER_SECOND: 'fast',
          FANOUT_SHARDS: '2.5',
        }),
        {
          functionName: 'f',
          inlineMax: DEFAULT_FANOUT_INLINE_MAX,
          postsPerSecond: DEFAULT_POSTS_PER_SECOND,
          shards: DEFAULT_FANOUT_SHARDS,
        },
      )
    })

    it('gives each shard one parallel scan segment and an equal share of the budget', () => {
      const tasks = planShards(BROADCAST, {postsPerSecond: 9000, shards: 16})
      assert.equal(tasks.length, 16)
      assert.deepEqual(
        tasks.map((task) => task.scan),
        Array.from({length: 16}, (_, segment) => ({segment, totalSegments: 16})),
      )
      for (const task of tasks) {
        assert.equal(task.postsPerSecond, 562.5)
        assert.equal(task.broadcast, BROADCAST)
        assert.equal(task.pending, undefined)
      }
    })

    it('queues each shard as an asynchronous invocation, and reports those that could not be queued', async () => {
      lambda.on(InvokeCommand).resolves({StatusCode: 202})
      lambda
        .on(InvokeCommand, {FunctionName: 'fanout'})
        .resolvesOnce({StatusCode: 202})
        .rejectsOnce(new ServiceException({$metadata: {httpStatusCode: 500}, message: 'Service'}))
        .resolves({StatusCode: 202})
      const tasks = planShards(BROADCAST, {postsPerSecond: 300, shards: 3})

      const result = await dispatchShards(new LambdaClient({region: 'us-east-1'}), 'fanout', tasks)

      assert.equal(result.dispatched, 2)
      assert.equal(result.errors.length, 1)
      const calls = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input)
      assert.deepEqual(
        calls.map((input) => [input.FunctionName, input.InvocationType]),
        [
          ['fanout', 'Event'],
          ['fanout', 'Event'],
          ['fanout', 'Event'],
        ],
      )
      assert.deepEqual(
        calls.map((input) => JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) as ShardTask),
        tasks,
      )
    })
  })

  describe('deliver', () => {
    it('reads only its own segment, page by page, and posts to each recipient once', async () => {
      const ids = Array.from({length: 60}, (_, index) => connectionId(index))
      serveTable(ids)
      const tasks = planShards(BROADCAST, {postsPerSecond: 1000, shards: 3})

      const outcomes = []
      for (const task of tasks) {
        outcomes.push(await run(task))
      }

      const scans = dynamodb.commandCalls(ScanCommand).map((call) => call.args[0].input)
      for (const scan of scans) {
        assert.equal(scan.TotalSegments, 3)
        assert.equal(scan.Limit, 7)
      }

      assert.deepEqual(new Set(scans.map((scan) => scan.Segment)), new Set([0, 1, 2]))
      assert.deepEqual(posted().sort(), ids)
      assert.deepEqual(
        outcomes.map((outcome) => outcome.remainder),
        [undefined, undefined, undefined],
      )
      assert.equal(
        outcomes.reduce((sum, outcome) => sum + outcome.counts.sent, 0),
        60,
      )
      // Every shard got a share: a segmented scan spreads the table.
      for (const outcome of outcomes) assert.ok(outcome.counts.sent > 5, JSON.stringify(outcome.counts))
    })

    it('posts to pending recipients first, then resumes the scan where it was left', async () => {
      const ids = Array.from({length: 20}, (_, index) => connectionId(index))
      serveTable(ids)
      api.on(PostToConnectionCommand).resolves({})

      const outcome = await run(
        {
          broadcast: BROADCAST,
          pending: ['Pending0001=', 'Pending0002='],
          postsPerSecond: 1000,
          scan: {segment: 0, startKey: {connectionId: {S: ids[9]}}, totalSegments: 1},
        },
        {concurrency: 1},
      )

      assert.deepEqual(posted(), ['Pending0001=', 'Pending0002=', ...ids.slice(10)])
      assert.deepEqual(outcome.counts, {failed: 0, gone: 0, sent: 12, throttled: 0})
    })

    it('retries a throttled recipient with backoff until it goes through, and never drops it', async () => {
      serveTable(['Busy000000001=', 'Calm000000001='])
      api.on(PostToConnectionCommand).resolves({})
      const busy = api.on(PostToConnectionCommand, {ConnectionId: 'Busy000000001='})
      for (let attempt = 0; attempt < 12; attempt++) busy.rejectsOnce(throttled())
      busy.resolves({})
      const time = fakeTime()
      const waits: number[] = []

      const outcome = await run(planShards(BROADCAST, {postsPerSecond: 1_000_000, shards: 1})[0], {
        ...time,
        async sleep(ms) {
          waits.push(ms)
          await time.sleep(ms)
        },
      })

      assert.deepEqual(outcome.counts, {failed: 0, gone: 0, sent: 2, throttled: 12})
      assert.equal(posted().filter((id) => id === 'Busy000000001=').length, 13)
      // Full jitter at random() = 0.5: half of 50 ms × 2^attempt, capped at 2 s.
      assert.deepEqual(waits, [25, 50, 100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000])
      assert.equal(outcome.remainder, undefined)
    })

    it('removes gone recipients from the table and counts them', async () => {
      serveTable(['Gone00000001=', 'Here00000001=', 'Gone00000002='])
      api.on(PostToConnectionCommand).resolves({})
      api
        .on(PostToConnectionCommand, {ConnectionId: 'Gone00000001='})
        .rejects(new GoneException({$metadata: {httpStatusCode: 410}, message: 'Gone'}))
      api
        .on(PostToConnectionCommand, {ConnectionId: 'Gone00000002='})
        .rejects(new GoneException({$metadata: {httpStatusCode: 410}, message: 'Gone'}))

      const outcome = await run(planShards(BROADCAST, {postsPerSecond: 1000, shards: 1})[0])

      assert.deepEqual(outcome.counts, {failed: 0, gone: 2, sent: 1, throttled: 0})
      assert.deepEqual(
        dynamodb
          .commandCalls(DeleteItemCommand)
          .map((call) => call.args[0].input.Key?.connectionId?.S)
          .sort(),
        ['Gone00000001=', 'Gone00000002='],
      )
    })

    it('gives a transient failure a few attempts and a refusal none', async () => {
      serveTable(['Flaky0000001=', 'Broken000001=', 'Denied000001='])
      const unavailable = () =>
        Object.assign(new Error('Service Unavailable'), {
          $metadata: {httpStatusCode: 503},
          name: 'ServiceUnavailableException',
        })
      api.on(PostToConnectionCommand, {ConnectionId: 'Flaky0000001='}).rejectsOnce(unavailable()).resolves({})
      api.on(PostToConnectionCommand, {ConnectionId: 'Broken000001='}).rejects(unavailable())
      api
        .on(PostToConnectionCommand, {ConnectionId: 'Denied000001='})
        .rejects(new ForbiddenException({$metadata: {httpStatusCode: 403}, message: 'Forbidden'}))
      const errors: string[] = []

      const outcome = await run(planShards(BROADCAST, {postsPerSecond: 1000, shards: 1})[0], {
        onError: (id) => errors.push(id),
      })

      assert.deepEqual(outcome.counts, {failed: 2, gone: 0, sent: 1, throttled: 0})
      const attempts = (id: string) => posted().filter((candidate) => candidate === id).length
      assert.deepEqual(
        [attempts('Flaky0000001='), attempts('Broken000001='), attempts('Denied000001=')],
        [2, MAX_TRANSIENT_ATTEMPTS, 1],
      )
      assert.deepEqual(errors.sort(), ['Broken000001=', 'Denied000001='])
    })

    it('paces its posts to its share of the budget', async () => {
      const ids = Array.from({length: 100}, (_, index) => connectionId(index))
      serveTable(ids)
      api.on(PostToConnectionCommand).resolves({})
      const time = fakeTime()

      const outcome = await run(
        {broadcast: BROADCAST, postsPerSecond: 200, scan: {segment: 0, totalSegments: 1}},
        {...time, concurrency: 10},
      )

      assert.equal(outcome.counts.sent, 100)
      // 200 per second with a burst of 20: the other 80 posts need 80 × 5 ms.
      assert.equal(time.time.now, 400)
    })

    it('hands on what is left when time runs short: read recipients, throttled ones and the scan position', async () => {
      const ids = Array.from({length: 40}, (_, index) => connectionId(index))
      serveTable(ids)
      api.on(PostToConnectionCommand).resolves({})
      // Throttled the whole time it tries: it must be handed on, not dropped.
      api.on(PostToConnectionCommand, {ConnectionId: ids[1]}).rejects(throttled())
      // 10 posts per second: posting the first page of 7 takes 0.6 s, and 1 s is all there is before the reserve.
      const time = fakeTime(11_000)
      const task: ShardTask = {broadcast: BROADCAST, postsPerSecond: 10, scan: {segment: 0, totalSegments: 1}}

      const first = await run(task, {...time, concurrency: 2})

      assert.ok(first.remainder, 'a remainder')
      assert.equal(first.remainder.handoffs, 1)
      assert.ok(first.remainder.pending?.includes(ids[1]), 'the throttled recipient is handed on')
      assert.ok(first.remainder.scan?.startKey, 'the scan goes on where it stopped')
      assert.ok(first.counts.throttled > 0)
      const reached = posted().filter((id) => id !== ids[1])
      assert.ok(reached.length > 0 && reached.length < 40, String(reached.length))

      // The next invocation, unthrottled, reaches everyone else exactly once.
      api.reset()
      api.on(PostToConnectionCommand).resolves({})
      const second = await run(first.remainder, {concurrency: 2})
      assert.equal(second.remainder, undefined)
      assert.deepEqual([...reached, ...posted()].sort(), ids)
    })

    it('throws when its scan fails, so that Lambda retries the shard, and the retry reaches everyone', async () => {
      const ids = Array.from({length: 15}, (_, index) => connectionId(index))
      serveTable(ids)
      api.on(PostToConnectionCommand).resolves({})
      dynamodb.on(ScanCommand).rejectsOnce(
        Object.assign(new Error('Throughput exceeds the current capacity of your table'), {
          name: 'ProvisionedThroughputExceededException',
        }),
      )
      const task = planShards(BROADCAST, {postsPerSecond: 1000, shards: 1})[0]

      await assert.rejects(run(task), /Throughput exceeds/)
      assert.deepEqual(posted(), [])
      serveTable(ids)
      const retry = await run(task)
      assert.deepEqual(retry.counts, {failed: 0, gone: 0, sent: 15, throttled: 0})
    })

    it('gives up a part handed on too often, so that it reaches the on-failure destination', async () => {
      await assert.rejects(
        run({broadcast: BROADCAST, handoffs: MAX_HANDOFFS, pending: ['Conn000001='], postsPerSecond: 1}),
        /handed on 50 times without finishing/,
      )
      assert.deepEqual(posted(), [])
    })

    it('keeps a third of a short timeout for posting, so that a hand-off always gets to try', async () => {
      serveTable(['Conn000001=', 'Conn000002='])
      api.on(PostToConnectionCommand).resolves({})
      const time = fakeTime(3000)
      const outcome = await run(planShards(BROADCAST, {postsPerSecond: 1000, shards: 1})[0], time)
      assert.equal(outcome.counts.sent, 2)
      assert.equal(outcome.remainder, undefined)
    })
  })

  describe('deliveryLogLine', () => {
    it('is one summary line that CloudWatch reads as metrics (embedded metric format)', () => {
      const line = deliveryLogLine(
        {
          broadcastId: 'MsgId000000001=',
          counts: {failed: 1, gone: 2, sent: 40, throttled: 3},
          fanoutMs: 1234,
          ms: 900,
          msg: 'shard',
          properties: {segment: 3},
          route: 'sendmessage',
        },
        {METRICS_NAMESPACE: 'wsapi/chat-v1'},
        1_700_000_000_000,
      )
      assert.ok(!line.includes('\n'))
      const parsed = JSON.parse(line) as Record<string, unknown> & {
        _aws: {
          CloudWatchMetrics: Array<{
            Dimensions: string[][]
            Metrics: Array<{Name: string; Unit: string}>
            Namespace: string
          }>
          Timestamp: number
        }
      }
      assert.equal(parsed._aws.Timestamp, 1_700_000_000_000)
      const [directive] = parsed._aws.CloudWatchMetrics
      assert.equal(directive.Namespace, 'wsapi/chat-v1')
      // Every dimension and metric the directive names is a member of the line, as the format requires.
      for (const name of [...directive.Dimensions.flat(), ...directive.Metrics.map((metric) => metric.Name)])
        assert.ok(Object.hasOwn(parsed, name), name)
      assert.deepEqual(
        directive.Metrics.map((metric) => [metric.Name, metric.Unit, parsed[metric.Name]]),
        [
          ['Delivered', 'Count', 40],
          ['Gone', 'Count', 2],
          ['Throttled', 'Count', 3],
          ['Failed', 'Count', 1],
          ['FanoutDuration', 'Milliseconds', 1234],
        ],
      )
      assert.deepEqual(
        [parsed.msg, parsed.Route, parsed.broadcastId, parsed.segment, parsed.ms],
        ['shard', 'sendmessage', 'MsgId000000001=', 3, 900],
      )
      assert.equal(
        JSON.parse(
          deliveryLogLine(
            {
              broadcastId: 'x',
              counts: {failed: 0, gone: 0, sent: 0, throttled: 0},
              fanoutMs: 0,
              ms: 0,
              msg: 'broadcast',
              route: 'r',
            },
            {},
          ),
        )._aws.CloudWatchMetrics[0].Namespace,
        'wsapi',
      )
    })
  })
})
