import assert from 'node:assert/strict'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  RequestTooLargeException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda'
import {GetQueueUrlCommand, ReceiveMessageCommand, SQSClient} from '@aws-sdk/client-sqs'

import type {InvokeResult} from '../../../src/lib/dev/invoker.js'
import {invokeResponse, LAMBDA_API_PATH, LocalLambda} from '../../../src/lib/dev/lambda-service.js'
import {DevLog} from '../../../src/lib/dev/log.js'
import {LocalQueues} from '../../../src/lib/dev/sqs.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {TEST_CREDENTIALS} from '../../helpers/sigv4.js'
import {fn, projectOf, stackWith, where} from '../../helpers/emulated-stack.js'

describe('dev: the Lambda Invoke API', () => {
  it('claims the paths of Lambda function operations only, not those of a stage named like a date', () => {
    assert.ok(LAMBDA_API_PATH.test('/2015-03-31/functions/app-v1-Fanout/invocations'))
    assert.ok(LAMBDA_API_PATH.test('/2014-11-13/functions/app-v1-Fanout/invoke-async/'))
    for (const path of ['/2024-01-01', '/2024-01-01/', '/2024-01-01/@connections/abc', '/'])
      assert.equal(LAMBDA_API_PATH.test(path), false, path)
  })

  it('answers a function error with 200, X-Amz-Function-Error: Unhandled and the error document', () => {
    const ok = invokeResponse({durationMs: 1, ok: true, payload: {sent: 3}})
    assert.equal(ok.body, '{"sent":3}')
    assert.equal(ok.headers['X-Amz-Function-Error'], undefined)
    assert.equal(ok.headers['X-Amz-Executed-Version'], '$LATEST')
    const failed = invokeResponse({
      durationMs: 1,
      error: {errorMessage: 'nope', errorType: 'TypeError', stack: 'TypeError: nope\n    at x'},
      ok: false,
      reason: 'error',
    })
    assert.equal(failed.headers['X-Amz-Function-Error'], 'Unhandled')
    assert.deepEqual(JSON.parse(failed.body), {
      errorMessage: 'nope',
      errorType: 'TypeError',
      trace: ['TypeError: nope', '    at x'],
    })
    const huge = invokeResponse({durationMs: 1, ok: true, payload: 'x'.repeat(6 * 1024 * 1024)})
    assert.equal(huge.headers['X-Amz-Function-Error'], 'Unhandled')
    assert.equal(JSON.parse(huge.body).errorType, 'Function.ResponseSizeTooLarge')
  })
})

describe('dev: the Lambda Invoke API over HTTP, with the AWS SDK', function () {
  this.timeout(20_000)
  let server: Server
  let lambda: LocalLambda
  let queues: LocalQueues
  let endpoint: string
  let output: RecordingOutput
  const runs: Array<{event: string; logicalId: string; requestId: string}> = []
  let answer: (event: string) => InvokeResult = () => ({durationMs: 1, ok: true, payload: null})
  const client = () => new LambdaClient({credentials: TEST_CREDENTIALS, endpoint, maxAttempts: 1, region: 'us-east-1'})

  before(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0]
      if (String(request.headers['x-amz-target']).startsWith('AmazonSQS.'))
        queues.handleHttp(request, response, () => {})
      else lambda.handle(request, response, path)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    output = new RecordingOutput()
    queues = new LocalQueues({...where, endpoint})
    lambda = new LocalLambda({
      endpoint,
      log: new DevLog(output, true),
      queues,
      retryDelayMs: 1,
      async run(logicalId, event, requestId) {
        runs.push({event, logicalId, requestId})
        return answer(event)
      },
    })
    const stack = stackWith({
      Config: {
        Properties: {
          DestinationConfig: {OnFailure: {Destination: {'Fn::GetAtt': ['Dlq', 'Arn']}}},
          FunctionName: {Ref: 'Fanout'},
          MaximumRetryAttempts: 1,
        },
        Type: 'AWS::Lambda::EventInvokeConfig',
      },
      Dlq: {Type: 'AWS::SQS::Queue'},
      Fanout: fn(),
      Legacy: fn({DeadLetterConfig: {TargetArn: {'Fn::GetAtt': ['LegacyDlq', 'Arn']}}}),
      LegacyDlq: {Properties: {QueueName: 'legacy-dlq'}, Type: 'AWS::SQS::Queue'},
      Chained: fn(),
      ChainedConfig: {
        Properties: {
          DestinationConfig: {OnFailure: {Destination: {'Fn::GetAtt': ['Fanout', 'Arn']}}},
          FunctionName: {Ref: 'Chained'},
          MaximumRetryAttempts: 0,
        },
        Type: 'AWS::Lambda::EventInvokeConfig',
      },
    })
    lambda.configure(stack, projectOf(stack))
  })

  after(async () => {
    await lambda.close()
    server.close()
  })

  beforeEach(() => {
    runs.length = 0
    answer = () => ({durationMs: 1, ok: true, payload: null})
  })

  it('RequestResponse: 200 and the payload; the event is the JSON sent, {} when none', async () => {
    answer = (event) => ({durationMs: 1, ok: true, payload: {echo: JSON.parse(event)}})
    const result = await client().send(
      new InvokeCommand({FunctionName: 'app-v1-Fanout', Payload: new TextEncoder().encode('{"n":1}')}),
    )
    assert.equal(result.StatusCode, 200)
    assert.equal(result.FunctionError, undefined)
    assert.deepEqual(JSON.parse(new TextDecoder().decode(result.Payload)), {echo: {n: 1}})
    await client().send(new InvokeCommand({FunctionName: 'app-v1-Fanout'}))
    assert.deepEqual(
      runs.map((run) => [run.logicalId, run.event]),
      [
        ['Fanout', '{"n":1}'],
        ['Fanout', '{}'],
      ],
    )
  })

  it('Event: 202 with an empty body and the request id the function then runs with', async () => {
    const result = await client().send(
      new InvokeCommand({
        FunctionName: 'app-v1-Fanout',
        InvocationType: 'Event',
        Payload: new TextEncoder().encode('{"shard":1}'),
      }),
    )
    assert.equal(result.StatusCode, 202)
    assert.equal(result.Payload?.length ?? 0, 0)
    await lambda.asyncInvocations.idle()
    assert.equal(runs.length, 1)
    assert.equal(runs[0].requestId, result.$metadata.requestId)
  })

  it('a failing Event is retried per the EventInvokeConfig and its record is sent to the queue, with a log line saying where', async () => {
    answer = () => ({
      durationMs: 1,
      error: {errorMessage: 'shard failed', errorType: 'Error'},
      ok: false,
      reason: 'error',
    })
    await client().send(
      new InvokeCommand({
        FunctionName: 'app-v1-Fanout',
        InvocationType: 'Event',
        Payload: new TextEncoder().encode('{"shard":2}'),
      }),
    )
    await lambda.asyncInvocations.idle()
    assert.equal(runs.length, 2, 'one try, MaximumRetryAttempts 1')
    const sqs = new SQSClient({credentials: TEST_CREDENTIALS, endpoint, region: 'us-east-1'})
    const {QueueUrl} = await sqs.send(new GetQueueUrlCommand({QueueName: 'app-v1-Dlq'}))
    const {Messages} = await sqs.send(new ReceiveMessageCommand({QueueUrl}))
    const record = JSON.parse(Messages![0].Body!) as {
      requestContext: {approximateInvokeCount: number; condition: string}
      requestPayload: unknown
    }
    assert.equal(record.requestContext.condition, 'RetriesExhausted')
    assert.equal(record.requestContext.approximateInvokeCount, 2)
    assert.deepEqual(record.requestPayload, {shard: 2})
    assert.match(
      output.text('warn'),
      /Fanout \S+: RetriesExhausted record sent to queue app-v1-Dlq \(1 message; read them with: aws sqs receive-message --endpoint-url http:\/\/127\.0\.0\.1:\d+ --queue-url http:\/\/127\.0\.0\.1:\d+\/000000000000\/app-v1-Dlq\)/,
    )
  })

  it("a DeadLetterConfig queue gets the event itself with Lambda's RequestID, ErrorCode and ErrorMessage attributes", async () => {
    answer = () => ({
      durationMs: 1,
      error: {errorMessage: 'legacy failed', errorType: 'Error'},
      ok: false,
      reason: 'error',
    })
    const sent = await client().send(
      new InvokeCommand({
        FunctionName: 'app-v1-Legacy',
        InvocationType: 'Event',
        Payload: new TextEncoder().encode('{"n":9}'),
      }),
    )
    await lambda.asyncInvocations.idle()
    assert.equal(runs.length, 3, 'no EventInvokeConfig: two retries')
    const sqs = new SQSClient({credentials: TEST_CREDENTIALS, endpoint, region: 'us-east-1'})
    const {Messages} = await sqs.send(
      new ReceiveMessageCommand({MessageAttributeNames: ['All'], QueueUrl: queues.urlOf('legacy-dlq')}),
    )
    assert.equal(Messages?.[0].Body, '{"n":9}')
    assert.deepEqual(Messages?.[0].MessageAttributes, {
      ErrorCode: {DataType: 'Number', StringValue: '200'},
      ErrorMessage: {DataType: 'String', StringValue: 'legacy failed'},
      RequestID: {DataType: 'String', StringValue: sent.$metadata.requestId},
    })
  })

  it('an OnFailure destination that is a function of the template is invoked with the record', async () => {
    answer = (event) =>
      JSON.parse(event).requestContext
        ? {durationMs: 1, ok: true, payload: null}
        : {durationMs: 1, error: {errorMessage: 'chained failed', errorType: 'Error'}, ok: false, reason: 'error'}
    await client().send(
      new InvokeCommand({
        FunctionName: 'app-v1-Chained',
        InvocationType: 'Event',
        Payload: new TextEncoder().encode('{"n":1}'),
      }),
    )
    await lambda.asyncInvocations.idle()
    assert.deepEqual(
      runs.map((run) => run.logicalId),
      ['Chained', 'Fanout'],
    )
    const record = JSON.parse(runs[1].event) as {
      requestContext: {condition: string; functionArn: string}
      requestPayload: unknown
    }
    assert.equal(record.requestContext.condition, 'RetriesExhausted')
    assert.equal(
      record.requestContext.functionArn,
      'arn:aws:lambda:us-east-1:000000000000:function:app-v1-Chained:$LATEST',
    )
    assert.deepEqual(record.requestPayload, {n: 1})
  })

  it('DryRun: 204 without running anything; errors as the SDK knows them', async () => {
    const dryRun = await client().send(new InvokeCommand({FunctionName: 'app-v1-Fanout', InvocationType: 'DryRun'}))
    assert.equal(dryRun.StatusCode, 204)
    assert.equal(runs.length, 0)
    await assert.rejects(client().send(new InvokeCommand({FunctionName: 'app-v1-Missing'})), ResourceNotFoundException)
    await assert.rejects(
      client().send(new InvokeCommand({FunctionName: 'app-v1-Fanout', Qualifier: '3'})),
      (error: Error) => error instanceof ResourceNotFoundException && /app-v1-Fanout:3/.test(error.message),
    )
    await assert.rejects(
      client().send(new InvokeCommand({FunctionName: 'app-v1-Fanout', Payload: new TextEncoder().encode('not json')})),
      InvalidRequestContentException,
    )
    const tooBig = new TextEncoder().encode(JSON.stringify({data: 'x'.repeat(1024 * 1024)}))
    await assert.rejects(
      client().send(new InvokeCommand({FunctionName: 'app-v1-Fanout', InvocationType: 'Event', Payload: tooBig})),
      RequestTooLargeException,
    )
    assert.equal(runs.length, 0)
  })
})
