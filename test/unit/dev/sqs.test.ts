import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {createServer, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'

import {LocalQueues} from '../../../src/lib/dev/sqs.js'
import {TEST_CREDENTIALS} from '../../helpers/sigv4.js'

describe('dev: the in-memory SQS, with the AWS SDK', function () {
  this.timeout(20_000)
  let server: Server
  let queues: LocalQueues
  let sqs: SQSClient
  let clock = 1_000_000
  const refusals: string[] = []

  before(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    server = createServer((request, response) =>
      queues.handleHttp(request, response, (reason) => refusals.push(reason)),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    queues = new LocalQueues({accountId: '000000000000', endpoint, region: 'us-east-1'}, () => clock)
    sqs = new SQSClient({credentials: TEST_CREDENTIALS, endpoint, maxAttempts: 1, region: 'us-east-1'})
  })

  after(() => {
    queues.close()
    server.close()
  })

  it('sends, receives (hidden for the visibility timeout, then back with a higher receive count) and deletes', async () => {
    const queue = queues.define('jobs', {visibilityTimeoutSeconds: 30})
    const sent = await sqs.send(
      new SendMessageCommand({
        MessageAttributes: {kind: {DataType: 'String', StringValue: 'shard'}},
        MessageBody: '{"job":1}',
        QueueUrl: queue.url,
      }),
    )
    assert.equal(sent.MD5OfMessageBody, createHash('md5').update('{"job":1}').digest('hex'))
    const first = await sqs.send(
      new ReceiveMessageCommand({
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        QueueUrl: queue.url,
      }),
    )
    assert.equal(first.Messages?.length, 1)
    assert.equal(first.Messages![0].Body, '{"job":1}')
    assert.deepEqual(first.Messages![0].MessageAttributes, {kind: {DataType: 'String', StringValue: 'shard'}})
    assert.equal(first.Messages![0].Attributes?.ApproximateReceiveCount, '1')
    assert.equal(
      (await sqs.send(new ReceiveMessageCommand({QueueUrl: queue.url}))).Messages,
      undefined,
      'hidden while in flight',
    )
    let attributes = await sqs.send(
      new GetQueueAttributesCommand({
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        QueueUrl: queue.url,
      }),
    )
    assert.deepEqual(attributes.Attributes, {
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    })
    clock += 30_000
    const again = await sqs.send(new ReceiveMessageCommand({AttributeNames: ['All'], QueueUrl: queue.url}))
    assert.equal(again.Messages![0].Attributes?.ApproximateReceiveCount, '2')
    await assert.rejects(
      sqs.send(new DeleteMessageCommand({QueueUrl: queue.url, ReceiptHandle: 'garbage'})),
      ReceiptHandleIsInvalid,
    )
    await sqs.send(new DeleteMessageCommand({QueueUrl: queue.url, ReceiptHandle: again.Messages![0].ReceiptHandle}))
    clock += 60_000
    attributes = await sqs.send(new GetQueueAttributesCommand({AttributeNames: ['All'], QueueUrl: queue.url}))
    assert.equal(attributes.Attributes?.ApproximateNumberOfMessages, '0')
    assert.equal(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible, '0')
    assert.equal(attributes.Attributes?.QueueArn, 'arn:aws:sqs:us-east-1:000000000000:jobs')
  })

  it('batches, lists, and drops messages past the retention period', async () => {
    const queue = queues.define('batch', {messageRetentionSeconds: 60})
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        Entries: [1, 2, 3].map((n) => ({Id: `m${n}`, MessageBody: `body ${n}`})),
        QueueUrl: queue.url,
      }),
    )
    assert.deepEqual(
      sent.Successful?.map((entry) => entry.Id),
      ['m1', 'm2', 'm3'],
    )
    const received = await sqs.send(new ReceiveMessageCommand({MaxNumberOfMessages: 2, QueueUrl: queue.url}))
    assert.deepEqual(
      received.Messages?.map((message) => message.Body),
      ['body 1', 'body 2'],
    )
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        Entries: received.Messages!.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
        QueueUrl: queue.url,
      }),
    )
    assert.equal(deleted.Successful?.length, 2)
    assert.ok((await sqs.send(new ListQueuesCommand({QueueNamePrefix: 'bat'}))).QueueUrls?.includes(queue.url))
    clock += 61_000
    assert.equal(
      (await sqs.send(new ReceiveMessageCommand({QueueUrl: queue.url}))).Messages,
      undefined,
      'body 3 outlived the retention period',
    )
  })

  it('a long poll returns as soon as a message arrives', async () => {
    const queue = queues.define('poll')
    // The server has read the whole request (and so is waiting on the empty queue) once its 'end' listeners ran.
    const received = new Promise<void>((resolve) =>
      server.once('request', (request: IncomingMessage) => request.once('end', resolve)),
    )
    const polling = sqs.send(new ReceiveMessageCommand({QueueUrl: queue.url, WaitTimeSeconds: 20}))
    await received
    assert.equal(queue.counts().visible, 0)
    queue.send('late')
    assert.equal((await polling).Messages?.[0].Body, 'late')
  })

  it('names queues by ARN and URL of the account and Region; defining one again changes its settings, not its messages', () => {
    const queue = queues.define('defined', {visibilityTimeoutSeconds: 5})
    assert.equal(queue.arn, 'arn:aws:sqs:us-east-1:000000000000:defined')
    assert.equal(queues.byArn(queue.arn), queue)
    assert.equal(queues.byArn('arn:aws:sqs:eu-west-1:000000000000:defined'), undefined)
    queue.send('kept')
    assert.equal(queues.define('defined', {visibilityTimeoutSeconds: 60}), queue)
    assert.equal(queue.settings.visibilityTimeoutSeconds, 60)
    assert.equal(queue.settings.messageRetentionSeconds, 345_600)
    assert.equal(queue.counts().visible, 1)
  })

  it('an unknown queue is QueueDoesNotExist; an unsigned call is refused', async () => {
    await assert.rejects(sqs.send(new ReceiveMessageCommand({QueueUrl: queues.urlOf('missing')})), QueueDoesNotExist)
    const {port} = server.address() as AddressInfo
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      body: '{}',
      headers: {'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues'},
      method: 'POST',
    })
    assert.equal(response.status, 403)
    assert.match(refusals.at(-1)!, /without a SigV4 Authorization header/)
  })
})
