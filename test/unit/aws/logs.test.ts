import assert from 'node:assert/strict'

import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
  StartLiveTailCommand,
  type StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs'
import {type AwsClientStub, mockClient} from 'aws-sdk-client-mock'

import {AwsCallError} from '../../../src/lib/aws/errors.js'
import {
  type CloudWatchLogsApi,
  createCloudWatchLogsApi,
  isLiveTailUnavailable,
  isLogGroupMissing,
  type LiveTailUpdate,
} from '../../../src/lib/aws/logs.js'
import {TEST_AWS} from '../../helpers/aws-mocks.js'

async function* stream(...updates: StartLiveTailResponseStream[]): AsyncGenerator<StartLiveTailResponseStream> {
  for (const update of updates) yield update
}

async function all(updates: AsyncIterable<LiveTailUpdate>): Promise<LiveTailUpdate[]> {
  const seen: LiveTailUpdate[] = []
  for await (const update of updates) seen.push(update)
  return seen
}

describe('aws: CloudWatchLogsApi (CloudWatch Logs mocked)', () => {
  let logs: AwsClientStub<CloudWatchLogsClient>
  let api: CloudWatchLogsApi

  before(() => {
    // `wsapi logs` creates its AWS session (which turns the SDK's Node-version notice off) before this client.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
    logs = mockClient(CloudWatchLogsClient)
  })
  beforeEach(async () => {
    logs.reset()
    api = await createCloudWatchLogsApi(TEST_AWS, 'eu-west-1')
  })
  after(() => logs.restore())

  it('filterLogEvents: one page in plain shape; an empty pattern is no pattern', async () => {
    logs.on(FilterLogEventsCommand).resolves({
      events: [{eventId: 'e1', logStreamName: 's1', message: 'START RequestId: r1\n', timestamp: 1000}, {}],
      nextToken: 'n2',
    })
    const page = await api.filterLogEvents({
      filterPattern: '',
      logGroupName: '/aws/lambda/chat-v1-Default',
      startTime: 500,
    })
    assert.deepEqual(page, {
      events: [
        {
          eventId: 'e1',
          logGroup: '/aws/lambda/chat-v1-Default',
          logStream: 's1',
          message: 'START RequestId: r1\n',
          timestamp: 1000,
        },
        {eventId: undefined, logGroup: '/aws/lambda/chat-v1-Default', logStream: undefined, message: '', timestamp: 0},
      ],
      nextToken: 'n2',
    })
    assert.deepEqual(logs.commandCalls(FilterLogEventsCommand)[0].args[0].input, {
      endTime: undefined,
      filterPattern: undefined,
      logGroupName: '/aws/lambda/chat-v1-Default',
      nextToken: undefined,
      startTime: 500,
    })
  })

  it('liveTail: the start, then batches of events, until the session times out', async () => {
    logs.on(StartLiveTailCommand).resolves({
      responseStream: stream(
        {sessionStart: {sessionId: 's'}},
        {
          sessionUpdate: {
            sessionResults: [
              {
                logGroupIdentifier: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/x',
                logStreamName: 'st',
                message: 'hi',
                timestamp: 7,
              },
            ],
          },
        },
        {
          SessionTimeoutException: {message: 'after 3 hours', name: 'SessionTimeoutException'},
        } as StartLiveTailResponseStream,
        {sessionUpdate: {sessionResults: [{message: 'never read'}]}},
      ),
    })
    assert.deepEqual(await all(api.liveTail(['arn:group'], 'ERROR')), [
      {kind: 'started'},
      {
        events: [
          {
            logGroup: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/x',
            logStream: 'st',
            message: 'hi',
            timestamp: 7,
          },
        ],
        kind: 'events',
      },
    ])
    assert.deepEqual(logs.commandCalls(StartLiveTailCommand)[0].args[0].input, {
      logEventFilterPattern: 'ERROR',
      logGroupIdentifiers: ['arn:group'],
    })
  })

  it('liveTail: a streaming error becomes an AwsCallError; after an abort the session just ends', async () => {
    const failure = {message: 'stream broke', name: 'SessionStreamingException'}
    logs.on(StartLiveTailCommand).resolves({
      responseStream: stream({sessionStart: {}}, {SessionStreamingException: failure} as StartLiveTailResponseStream),
    })
    await assert.rejects(
      all(api.liveTail(['arn:group'], undefined)),
      (error: unknown) => AwsCallError.isAwsCallError(error) && error.operation === 'StartLiveTail',
    )
    const controller = new AbortController()
    controller.abort()
    logs
      .on(StartLiveTailCommand)
      .resolves({responseStream: stream({SessionStreamingException: failure} as StartLiveTailResponseStream)})
    assert.deepEqual(await all(api.liveTail(['arn:group'], undefined, controller.signal)), [])
  })

  it('a missing log group and a missing Live Tail are recognised, raw or translated', async () => {
    const missing = new ResourceNotFoundException({
      $metadata: {httpStatusCode: 400},
      message: 'The specified log group does not exist.',
    })
    logs.on(FilterLogEventsCommand).rejects(missing)
    const translated = await api.filterLogEvents({logGroupName: '/aws/lambda/new'}).catch((error: unknown) => error)
    assert.ok(isLogGroupMissing(missing) && isLogGroupMissing(translated))
    assert.ok(!isLogGroupMissing(new Error('other')))
    assert.ok(isLiveTailUnavailable(Object.assign(new Error('x'), {name: 'UnknownOperationException'})))
    assert.ok(isLiveTailUnavailable({awsCode: 'NotImplemented'}))
    assert.ok(isLiveTailUnavailable({kind: 'network'}) && isLiveTailUnavailable({kind: 'not-found'}))
    assert.ok(!isLiveTailUnavailable({awsCode: 'AccessDeniedException', kind: 'access-denied'}))
  })

  it('endpointUrl is the custom endpoint in use, if any', async () => {
    assert.equal(api.endpointUrl, undefined)
    assert.equal(
      (await createCloudWatchLogsApi({...TEST_AWS, endpointUrl: 'http://127.0.0.1:4566'}, 'eu-west-1')).endpointUrl,
      'http://127.0.0.1:4566',
    )
  })
})
