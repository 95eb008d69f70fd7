import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {request} from 'node:http'
import {join} from 'node:path'

import {
  ApiGatewayManagementApiClient,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import {InvokeCommand, LambdaClient, ResourceNotFoundException} from '@aws-sdk/client-lambda'
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'

import {connect, type DevProcess, readRecords, startDev, type TestClient, waitForRecord} from '../helpers/dev.js'
import {sigV4Headers, TEST_CREDENTIALS} from '../helpers/sigv4.js'
import {tempDir} from '../helpers/tmp.js'

/**
 * A project shaped like the sharded fan-out of issue 12: a route handler that invokes another function of the
 * template through the unmodified AWS SDK (`FANOUT_FUNCTION: !Ref FanoutFunction`), an EventInvokeConfig bounding
 * the retries of a function that fails, and an SQS queue as its OnFailure destination (`!GetAtt Queue.Arn`).
 */
const ROUTE_HANDLER = `
import {InvokeCommand, LambdaClient} from '@aws-sdk/client-lambda'

const lambda = new LambdaClient({})

export async function handler(event: any) {
  const body = JSON.parse(event.body)
  const target = body.target === 'failing' ? process.env.FAILING_FUNCTION : process.env.FANOUT_FUNCTION
  const payload = new TextEncoder().encode(JSON.stringify({...body.payload, connectionId: event.requestContext.connectionId}))
  if (body.action === 'whoami') return {statusCode: 200, body: JSON.stringify({connectionId: event.requestContext.connectionId, env: {lambda: process.env.AWS_ENDPOINT_URL_LAMBDA, sqs: process.env.AWS_ENDPOINT_URL_SQS, queue: process.env.QUEUE_URL, target}})}
  const result = await lambda.send(new InvokeCommand({FunctionName: target, InvocationType: body.action === 'event' ? 'Event' : 'RequestResponse', Payload: payload}))
  return {
    statusCode: 200,
    body: JSON.stringify({statusCode: result.StatusCode, functionError: result.FunctionError ?? null, payload: result.Payload ? new TextDecoder().decode(result.Payload) : null}),
  }
}
`

const FANOUT_HANDLER = `
import {appendFileSync} from 'node:fs'

export async function handler(event: any, context: any) {
  appendFileSync(process.env.RECORD_FILE!, JSON.stringify({fn: 'fanout', event, requestId: context.awsRequestId}) + '\\n')
  if (event.fail) throw new Error('fan-out failed on purpose')
  return {sent: event.recipients ?? 0}
}
`

const FAILING_HANDLER = `
import {appendFileSync} from 'node:fs'

export async function handler(event: any, context: any) {
  appendFileSync(process.env.RECORD_FILE!, JSON.stringify({fn: 'failing', event, requestId: context.awsRequestId}) + '\\n')
  throw new Error('shard ' + event.shard + ' failed')
}
`

function fanoutProject(): {dir: string; records: string} {
  const dir = join(tempDir(), 'fanout')
  const records = join(dir, 'records.jsonl')
  mkdirSync(join(dir, 'src'), {recursive: true})
  writeFileSync(join(dir, 'src', 'route.ts'), ROUTE_HANDLER)
  writeFileSync(join(dir, 'src', 'fanout.ts'), FANOUT_HANDLER)
  writeFileSync(join(dir, 'src', 'failing.ts'), FAILING_HANDLER)
  const fn = (id: string, code: string, environment = '') => `
  ${id}:
    Type: AWS::Lambda::Function
    Properties:
      Code: ${code}
      Handler: index.handler
      Runtime: nodejs22.x
      Timeout: 10
      Environment:
        Variables:
          RECORD_FILE: ${JSON.stringify(records)}${environment}`
  writeFileSync(
    join(dir, 'template.yaml'),
    `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: fanout
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: test
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub 'arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${RouteFunction.Arn}/invocations'
  DefaultRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: $default
      RouteResponseSelectionExpression: $default
      Target: !Join ['/', [integrations, !Ref Integration]]
${fn(
  'RouteFunction',
  'src/route.ts',
  `
          FANOUT_FUNCTION: !Ref FanoutFunction
          FAILING_FUNCTION: !Ref FailingFunction
          QUEUE_URL: !Ref FailedShardsQueue`,
)}
${fn('FanoutFunction', 'src/fanout.ts')}
${fn('FailingFunction', 'src/failing.ts')}
  FailingInvokeConfig:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref FailingFunction
      Qualifier: $LATEST
      MaximumRetryAttempts: 1
      MaximumEventAgeInSeconds: 3600
      DestinationConfig:
        OnFailure:
          Destination: !GetAtt FailedShardsQueue.Arn
  FailedShardsQueue:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
`,
  )
  return {dir, records}
}

interface Recorded {
  event: Record<string, unknown>
  fn: string
  requestId: string
}

function call(
  method: string,
  url: string,
  headers: Record<string, string>,
  body = '',
): Promise<{body: string; headers: Record<string, string | string[] | undefined>; status: number}> {
  return new Promise((resolve, reject) => {
    const req = request(url, {headers, method}, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({
          body: Buffer.concat(chunks).toString('utf8'),
          headers: response.headers,
          status: response.statusCode ?? 0,
        }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('wsapi dev: the Lambda Invoke API, asynchronous retries, the SQS sink and the @connections rate limit', function () {
  this.timeout(90_000)
  let dev: DevProcess
  let records: string
  let client: TestClient
  const clientConfig = () => ({credentials: TEST_CREDENTIALS, endpoint: dev.ready.localEndpoint, region: 'us-east-1'})

  const ask = async (message: Record<string, unknown>) => {
    client.send(JSON.stringify(message))
    return JSON.parse(await client.next(30_000)) as Record<string, unknown>
  }

  const recorded = () => readRecords(records) as unknown as Recorded[]

  before(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    const project = fanoutProject()
    records = project.records
    dev = await startDev(project.dir, [
      '--async-retry-delay',
      '300ms',
      '--connections-rate-limit',
      '1',
      '--connections-burst-limit',
      '5',
    ])
    client = await connect(dev.ready.url)
  })

  after(async () => {
    client?.close()
    await dev?.stop()
  })

  it('gives the handlers AWS_ENDPOINT_URL_LAMBDA and _SQS, Ref of a function is the name Invoke takes, Ref of a queue its URL', async () => {
    const answer = (await ask({action: 'whoami'})) as {env: Record<string, string>}
    assert.equal(answer.env.lambda, dev.ready.localEndpoint)
    assert.equal(answer.env.sqs, dev.ready.localEndpoint)
    assert.equal(answer.env.target, 'fanout-test-FanoutFunction')
    assert.equal(answer.env.queue, `${dev.ready.localEndpoint}/000000000000/fanout-test-FailedShardsQueue`)
  })

  it('Event: the route handler gets 202 from InvokeCommand and the invoked function runs with the payload', async () => {
    const answer = await ask({action: 'event', payload: {recipients: 3, shard: 'a'}})
    assert.deepEqual(answer, {functionError: null, payload: null, statusCode: 202})
    const run = (await waitForRecord(
      records,
      (record) =>
        (record as unknown as Recorded).fn === 'fanout' && (record as unknown as Recorded).event.shard === 'a',
    )) as unknown as Recorded
    assert.equal(run.event.recipients, 3)
    assert.match(run.requestId, /^[\da-f-]{36}$/)
    await dev.waitForLog(/Invoke Event\s+\S+\s+FanoutFunction\s+\d+ ms\s+200\s+attempt 1\/3/)
  })

  it('RequestResponse: the payload comes back, and a function error as FunctionError Unhandled with the error document', async () => {
    const ok = await ask({action: 'sync', payload: {recipients: 7}})
    assert.deepEqual(ok, {functionError: null, payload: '{"sent":7}', statusCode: 200})
    const failed = await ask({action: 'sync', payload: {fail: true}})
    assert.equal(failed.statusCode, 200)
    assert.equal(failed.functionError, 'Unhandled')
    const error = JSON.parse(failed.payload as string) as {errorMessage: string; errorType: string; trace: string[]}
    assert.equal(error.errorType, 'Error')
    assert.equal(error.errorMessage, 'fan-out failed on purpose')
    assert.ok(Array.isArray(error.trace))
  })

  it('a failing Event is retried per its EventInvokeConfig (1 retry), then its record lands in the SQS queue, readable with the SQS SDK', async () => {
    const answer = await ask({action: 'event', target: 'failing', payload: {shard: 7}})
    assert.equal(answer.statusCode, 202)
    await dev.waitForLog(/RetriesExhausted record sent to queue fanout-test-FailedShardsQueue/, 30_000)
    const attempts = recorded().filter((record) => record.fn === 'failing' && record.event.shard === 7)
    assert.equal(attempts.length, 2, 'one try and MaximumRetryAttempts: 1 retry')
    assert.equal(attempts[0].requestId, attempts[1].requestId, 'a retry keeps the request id')

    const sqs = new SQSClient(clientConfig())
    const {QueueUrl} = await sqs.send(new GetQueueUrlCommand({QueueName: 'fanout-test-FailedShardsQueue'}))
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({AttributeNames: ['ApproximateNumberOfMessages', 'QueueArn'], QueueUrl}),
    )
    assert.equal(attributes.Attributes?.ApproximateNumberOfMessages, '1')
    assert.equal(attributes.Attributes?.QueueArn, 'arn:aws:sqs:us-east-1:000000000000:fanout-test-FailedShardsQueue')
    const received = await sqs.send(new ReceiveMessageCommand({MaxNumberOfMessages: 10, QueueUrl, WaitTimeSeconds: 1}))
    assert.equal(received.Messages?.length, 1)
    const record = JSON.parse(received.Messages![0].Body!) as Record<string, any>
    assert.equal(record.version, '1.0')
    assert.deepEqual(record.requestContext, {
      approximateInvokeCount: 2,
      condition: 'RetriesExhausted',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fanout-test-FailingFunction:$LATEST',
      requestId: attempts[0].requestId,
    })
    assert.equal(record.requestPayload.shard, 7)
    assert.deepEqual(record.responseContext, {executedVersion: '$LATEST', functionError: 'Unhandled', statusCode: 200})
    assert.equal(record.responsePayload.errorMessage, 'shard 7 failed')
    await sqs.send(new DeleteMessageCommand({QueueUrl, ReceiptHandle: received.Messages![0].ReceiptHandle}))
    const after = await sqs.send(new GetQueueAttributesCommand({AttributeNames: ['All'], QueueUrl}))
    assert.equal(after.Attributes?.ApproximateNumberOfMessages, '0')
    assert.equal(after.Attributes?.ApproximateNumberOfMessagesNotVisible, '0')
  })

  it('answers the SDK like Lambda: ResourceNotFoundException for an unknown function; ARNs and DryRun are taken', async () => {
    const lambda = new LambdaClient(clientConfig())
    await assert.rejects(lambda.send(new InvokeCommand({FunctionName: 'no-such-function'})), (error: unknown) => {
      assert.ok(error instanceof ResourceNotFoundException)
      assert.match(error.message, /Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function/)
      return true
    })
    const byArn = await lambda.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:fanout-test-FanoutFunction',
        Payload: new TextEncoder().encode('{"recipients":2}'),
      }),
    )
    assert.equal(byArn.StatusCode, 200)
    assert.equal(byArn.ExecutedVersion, '$LATEST')
    assert.equal(new TextDecoder().decode(byArn.Payload), '{"sent":2}')
    const dryRun = await lambda.send(
      new InvokeCommand({FunctionName: '000000000000:function:fanout-test-FanoutFunction', InvocationType: 'DryRun'}),
    )
    assert.equal(dryRun.StatusCode, 204)
  })

  it('refuses Lambda and SQS calls without a SigV4 header or from a web page', async () => {
    const url = `${dev.ready.localEndpoint}/2015-03-31/functions/fanout-test-FanoutFunction/invocations`
    const before = recorded().length
    const unsigned = await call('POST', url, {'content-type': 'application/json'}, '{}')
    assert.equal(unsigned.status, 403)
    assert.equal(unsigned.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException')
    const fromPage = await call(
      'POST',
      url,
      {...sigV4Headers('POST', url, '{}', {service: 'lambda'}), origin: 'https://evil.example'},
      '{}',
    )
    assert.equal(fromPage.status, 403)
    const sqsUnsigned = await call(
      'POST',
      `${dev.ready.localEndpoint}/`,
      {'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues'},
      '{}',
    )
    assert.equal(sqsUnsigned.status, 403)
    const signed = await call(
      'POST',
      url,
      sigV4Headers('POST', url, '{"recipients":1}', {service: 'lambda'}),
      '{"recipients":1}',
    )
    assert.equal(signed.status, 200)
    assert.equal(recorded().length, before + 1, 'only the signed call ran the function')
  })

  it('@connections past the burst of the account rate limit: 429 LimitExceededException to the SDK', async () => {
    const {connectionId} = (await ask({action: 'whoami'})) as {connectionId: string}
    const management = new ApiGatewayManagementApiClient({
      credentials: TEST_CREDENTIALS,
      endpoint: dev.ready.managementEndpoint,
      maxAttempts: 1,
      region: 'us-east-1',
    })
    const outcomes = await Promise.allSettled(
      Array.from({length: 20}, (_, index) =>
        management.send(
          new PostToConnectionCommand({ConnectionId: connectionId, Data: new TextEncoder().encode(`n${index}`)}),
        ),
      ),
    )
    const delivered = outcomes.filter((outcome) => outcome.status === 'fulfilled').length
    const throttled = outcomes.filter(
      (outcome) => outcome.status === 'rejected' && outcome.reason instanceof LimitExceededException,
    )
    assert.equal(delivered + throttled.length, 20, 'every call was either delivered or throttled')
    // A burst of 5, then 1 more per second: however slow this machine, most of 20 concurrent calls are refused.
    assert.ok(delivered >= 5, `the burst goes through (${delivered})`)
    assert.ok(throttled.length >= 10, `the rest is throttled (${throttled.length})`)
    assert.equal(((throttled[0] as PromiseRejectedResult).reason as LimitExceededException).message, 'Rate exceeded')
    await dev.waitForLog(/@connections: calls over the account rate of 1\/s, burst 5, get 429 LimitExceededException/)
    await dev.waitForLog(/@connections: \d+ calls? throttled \(429 LimitExceededException\) in the last second/)
  })
})
