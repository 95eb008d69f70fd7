import {randomUUID} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

import {visible} from './access.js'
import {signatureRefusal} from './management-api.js'
import {
  attributesMd5,
  LocalQueue,
  MAX_MESSAGE_BYTES,
  type MessageAttributeValue,
  type QueueSettings,
} from './sqs-queue.js'

/**
 * The SQS API of `wsapi dev` over its in-memory queues (sqs-queue.ts): the template's `AWS::SQS::Queue` resources
 * and the queues Lambda destinations name, so that a failed asynchronous invocation lands somewhere the developer
 * can read, with the AWS SDK or CLI pointed at wsapi dev. It speaks SQS's JSON protocol
 * (`X-Amz-Target: AmazonSQS.<Action>`, `application/x-amz-json-1.0`), which the AWS SDK v3 and current AWS CLI use
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html).
 * Standard queues only; no FIFO ordering, delays or redrive.
 */

/** The longest ReceiveMessage long poll, in seconds. */
const MAX_WAIT_SECONDS = 20

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly queryCode = type,
    readonly status = 400,
  ) {
    super(message)
  }
}

const nonExistent = () =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue')
const invalid = (message: string) => new SqsError('InvalidParameterValue', message, 'InvalidParameterValue')

type Input = Record<string, unknown>

export class LocalQueues {
  private readonly queues = new Map<string, LocalQueue>()

  constructor(
    private readonly location: {accountId: string; endpoint: string; region: string},
    private readonly now: () => number = Date.now,
  ) {}

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.location.region}:${this.location.accountId}:${name}`
  }

  urlOf(name: string): string {
    return `${this.location.endpoint}/${this.location.accountId}/${name}`
  }

  /** Creates the queue, or updates the settings of an existing one (its messages stay). */
  define(name: string, settings: QueueSettings = {}): LocalQueue {
    const existing = this.queues.get(name)
    const resolved = {
      messageRetentionSeconds: settings.messageRetentionSeconds ?? 345_600,
      receiveWaitSeconds: settings.receiveWaitSeconds ?? 0,
      visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds ?? 30,
    }
    if (existing) {
      Object.assign(existing.settings, resolved)
      return existing
    }

    const queue = new LocalQueue(name, this.arnOf(name), this.urlOf(name), resolved, this.now)
    this.queues.set(name, queue)
    return queue
  }

  get(name: string): LocalQueue | undefined {
    return this.queues.get(name)
  }

  /** The queue an ARN of this account and Region names, if any. */
  byArn(arn: string): LocalQueue | undefined {
    const name = arn.startsWith(this.arnOf('')) ? arn.slice(this.arnOf('').length) : undefined
    return name === undefined ? undefined : this.queues.get(name)
  }

  close(): void {
    for (const queue of this.queues.values()) queue.wakeAll()
  }

  /**
   * Answers an HTTP request whose X-Amz-Target is `AmazonSQS.<Action>`: from programs on this machine only (no
   * Origin, a SigV4 Authorization header for sqs; README "Security"). `onRefused` hears why one was refused.
   */
  handleHttp(request: IncomingMessage, response: ServerResponse, onRefused: (reason: string) => void): void {
    const chunks: Buffer[] = []
    let bytes = 0
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes <= 2 * MAX_MESSAGE_BYTES) chunks.push(chunk)
    })
    request.on('error', () => response.destroy())
    request.on('end', () => {
      const refuse = (status: number, type: string, message: string) => {
        const text = JSON.stringify({__type: `com.amazon.coral.service#${type}`, message})
        response.writeHead(status, {
          'Content-Length': Buffer.byteLength(text),
          'Content-Type': 'application/x-amz-json-1.0',
          'x-amzn-RequestId': randomUUID(),
        })
        response.end(text)
      }

      const action = String(request.headers['x-amz-target']).slice('AmazonSQS.'.length)
      if (request.headers.origin !== undefined) {
        onRefused(
          `from Origin "${visible(request.headers.origin)}": the SQS API answers programs on this machine, not web pages`,
        )
        return refuse(403, 'AccessDeniedException', 'wsapi dev: the SQS API answers programs on this machine only')
      }

      const unsigned = signatureRefusal(request.headers, 'sqs')
      if (unsigned) {
        onRefused(`${unsigned.reason} (AWS answers 403 too): sign it as the AWS SDK and the AWS CLI do`)
        return refuse(403, unsigned.errorType, (JSON.parse(unsigned.body) as {message: string}).message)
      }

      if (bytes > 2 * MAX_MESSAGE_BYTES) return refuse(413, 'RequestEntityTooLarge', 'The request is too large.')
      this.handle(action, Buffer.concat(chunks).toString('utf8'), response).catch(() => response.destroy())
    })
  }

  /** Answers one SQS JSON-protocol request (`action` from X-Amz-Target, `body` its JSON). */
  async handle(action: string, body: string, response: ServerResponse): Promise<void> {
    let output: unknown
    try {
      let input: Input
      try {
        input = body.trim() === '' ? {} : (JSON.parse(body) as Input)
      } catch {
        throw new SqsError('SerializationException', 'The request body is not JSON.', 'SerializationException')
      }

      if (input === null || typeof input !== 'object' || Array.isArray(input))
        throw new SqsError('SerializationException', 'The request body is not a JSON object.')
      output = await this.run(action, input)
    } catch (error) {
      if (!(error instanceof SqsError)) throw error
      const text = JSON.stringify({__type: `com.amazonaws.sqs#${error.type}`, message: error.message})
      response.writeHead(error.status, {
        'Content-Length': Buffer.byteLength(text),
        'Content-Type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': `${error.queryCode};Sender`,
        'x-amzn-RequestId': randomUUID(),
      })
      response.end(text)
      return
    }

    const text = JSON.stringify(output ?? {})
    response.writeHead(200, {
      'Content-Length': Buffer.byteLength(text),
      'Content-Type': 'application/x-amz-json-1.0',
      'x-amzn-RequestId': randomUUID(),
    })
    response.end(text)
  }

  private queueOf(input: Input): LocalQueue {
    const url = input.QueueUrl
    if (typeof url !== 'string' || url === '')
      throw new SqsError('MissingParameter', 'The request must contain the parameter QueueUrl.', 'MissingParameter')
    const name = url.replace(/\/+$/, '').split('/').at(-1) ?? ''
    const queue = this.queues.get(name)
    if (!queue) throw nonExistent()
    return queue
  }

  private async run(action: string, input: Input): Promise<unknown> {
    switch (action) {
      case 'SendMessage': {
        const queue = this.queueOf(input)
        return queue.send(messageBody(input.MessageBody), messageAttributes(input.MessageAttributes))
      }

      case 'SendMessageBatch': {
        const queue = this.queueOf(input)
        const entries = Array.isArray(input.Entries) ? (input.Entries as Input[]) : []
        if (entries.length === 0)
          throw new SqsError(
            'EmptyBatchRequest',
            'There should be at least one SendMessageBatchRequestEntry in the request.',
          )
        if (entries.length > 10)
          throw new SqsError('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.')
        return {
          Failed: [],
          Successful: entries.map((entry) => ({
            Id: entry.Id,
            ...queue.send(messageBody(entry.MessageBody), messageAttributes(entry.MessageAttributes)),
          })),
        }
      }

      case 'ReceiveMessage': {
        const queue = this.queueOf(input)
        const max = integerIn(input.MaxNumberOfMessages, 1, 10, 1, 'MaxNumberOfMessages')
        const waitSeconds = integerIn(
          input.WaitTimeSeconds,
          0,
          MAX_WAIT_SECONDS,
          queue.settings.receiveWaitSeconds,
          'WaitTimeSeconds',
        )
        const visibility =
          input.VisibilityTimeout === undefined
            ? undefined
            : integerIn(input.VisibilityTimeout, 0, 43_200, 30, 'VisibilityTimeout')
        const deadline = this.now() + waitSeconds * 1000
        let messages = queue.take(max, visibility)
        while (messages.length === 0 && this.now() < deadline) {
          // eslint-disable-next-line no-await-in-loop
          await queue.waitForMessage(deadline - this.now())
          messages = queue.take(max, visibility)
        }

        const wanted = new Set([...stringList(input.AttributeNames), ...stringList(input.MessageSystemAttributeNames)])
        const wantedAttributes = new Set(stringList(input.MessageAttributeNames))
        // An empty receive answers no Messages at all, as SQS does.
        if (messages.length === 0) return {}
        return {
          Messages: messages.map((message) => {
            const system: Record<string, string> = {
              ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
              ApproximateReceiveCount: String(message.receiveCount),
              SenderId: 'AIDAWSAPIDEVLOCAL0000',
              SentTimestamp: String(message.sentAt),
            }
            const attributes = Object.fromEntries(
              Object.entries(system).filter(([name]) => wanted.has('All') || wanted.has(name)),
            )
            const userAttributes = Object.fromEntries(
              Object.entries(message.attributes ?? {}).filter(
                ([name]) => wantedAttributes.has('All') || wantedAttributes.has('.*') || wantedAttributes.has(name),
              ),
            )
            return {
              Attributes: Object.keys(attributes).length > 0 ? attributes : undefined,
              Body: message.body,
              MD5OfBody: message.bodyMd5,
              MD5OfMessageAttributes:
                Object.keys(userAttributes).length > 0 ? attributesMd5(userAttributes) : undefined,
              MessageAttributes: Object.keys(userAttributes).length > 0 ? userAttributes : undefined,
              MessageId: message.id,
              ReceiptHandle: message.receiptHandle,
            }
          }),
        }
      }

      case 'DeleteMessage': {
        const queue = this.queueOf(input)
        if (typeof input.ReceiptHandle !== 'string' || !queue.delete(input.ReceiptHandle)) {
          throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.', 'ReceiptHandleIsInvalid')
        }

        return {}
      }

      case 'DeleteMessageBatch': {
        const queue = this.queueOf(input)
        const entries = Array.isArray(input.Entries) ? (input.Entries as Input[]) : []
        if (entries.length === 0)
          throw new SqsError(
            'EmptyBatchRequest',
            'There should be at least one DeleteMessageBatchRequestEntry in the request.',
          )
        const results = entries.map((entry) => ({
          deleted: typeof entry.ReceiptHandle === 'string' && queue.delete(entry.ReceiptHandle),
          id: entry.Id,
        }))
        return {
          Failed: results
            .filter((result) => !result.deleted)
            .map((result) => ({
              Code: 'ReceiptHandleIsInvalid',
              Id: result.id,
              Message: 'The input receipt handle is invalid.',
              SenderFault: true,
            })),
          Successful: results.filter((result) => result.deleted).map((result) => ({Id: result.id})),
        }
      }

      case 'GetQueueAttributes': {
        const queue = this.queueOf(input)
        const {invisible, visible} = queue.counts()
        const all: Record<string, string> = {
          ApproximateNumberOfMessages: String(visible),
          ApproximateNumberOfMessagesDelayed: '0',
          ApproximateNumberOfMessagesNotVisible: String(invisible),
          CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
          DelaySeconds: '0',
          LastModifiedTimestamp: String(Math.floor(queue.createdAt / 1000)),
          MaximumMessageSize: String(MAX_MESSAGE_BYTES),
          MessageRetentionPeriod: String(queue.settings.messageRetentionSeconds),
          QueueArn: queue.arn,
          ReceiveMessageWaitTimeSeconds: String(queue.settings.receiveWaitSeconds),
          VisibilityTimeout: String(queue.settings.visibilityTimeoutSeconds),
        }
        const names = stringList(input.AttributeNames)
        const unknown = names.find((name) => name !== 'All' && !Object.hasOwn(all, name))
        if (unknown) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${unknown}.`, 'InvalidAttributeName')
        const picked = names.includes('All')
          ? all
          : Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)))
        return {Attributes: Object.keys(picked).length > 0 ? picked : undefined}
      }

      case 'GetQueueUrl': {
        const queue = typeof input.QueueName === 'string' ? this.queues.get(input.QueueName) : undefined
        if (!queue) throw nonExistent()
        return {QueueUrl: queue.url}
      }

      case 'ListQueues': {
        const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : ''
        return {
          QueueUrls: [...this.queues.values()]
            .filter((queue) => queue.name.startsWith(prefix))
            .map((queue) => queue.url),
        }
      }

      case 'PurgeQueue': {
        this.queueOf(input).purge()
        return {}
      }

      default: {
        throw new SqsError(
          'UnsupportedOperation',
          `wsapi dev emulates SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage, DeleteMessageBatch, GetQueueAttributes, GetQueueUrl, ListQueues and PurgeQueue, not ${action}.`,
          'AWS.SimpleQueueService.UnsupportedOperation',
        )
      }
    }
  }
}

function messageBody(value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.', 'MissingParameter')
  if (Buffer.byteLength(value) > MAX_MESSAGE_BYTES)
    throw invalid(
      `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
    )
  return value
}

function messageAttributes(value: unknown): Record<string, MessageAttributeValue> | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('MessageAttributes must be a map.')
  for (const [name, attribute] of Object.entries(value as Record<string, MessageAttributeValue>)) {
    if (
      typeof attribute?.DataType !== 'string' ||
      (attribute.StringValue === undefined && attribute.BinaryValue === undefined)
    ) {
      throw invalid(
        `The message attribute '${name}' must contain a non-empty value of message attribute type '${String(attribute?.DataType)}'.`,
      )
    }
  }

  return value as Record<string, MessageAttributeValue>
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

function integerIn(value: unknown, min: number, max: number, fallback: number, name: string): number {
  if (value === undefined || value === null) return fallback
  const number = Number(value)
  if (!Number.isInteger(number) || number < min || number > max)
    throw invalid(`Value ${String(value)} for parameter ${name} is invalid. Reason: must be between ${min} and ${max}.`)
  return number
}
