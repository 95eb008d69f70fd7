import {createHash, randomUUID} from 'node:crypto'

/**
 * One in-memory SQS standard queue: messages sent, received (hidden for their visibility timeout), deleted and
 * expired, with long polls woken as messages arrive. The SQS API over HTTP, and the set of queues, is sqs.ts's.
 */

/** SendMessage's limit (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html). */
export const MAX_MESSAGE_BYTES = 1024 * 1024

export interface MessageAttributeValue {
  BinaryValue?: string
  DataType: string
  StringValue?: string
}

export interface QueueSettings {
  /** Seconds a message is kept (SQS default 4 days). */
  messageRetentionSeconds?: number
  /** Default long poll of ReceiveMessage, in seconds. */
  receiveWaitSeconds?: number
  /** Seconds a received message stays hidden (SQS default 30). */
  visibilityTimeoutSeconds?: number
}

interface StoredMessage {
  attributes?: Record<string, MessageAttributeValue>
  attributesMd5?: string
  body: string
  bodyMd5: string
  firstReceivedAt?: number
  id: string
  receiptHandle?: string
  receiveCount: number
  sentAt: number
  visibleAt: number
}

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex')

/**
 * MD5OfMessageAttributes as SQS computes it: for each attribute by name, the name, data type and value, each
 * length-prefixed (4 bytes, big-endian), with a transport byte (1 string, 2 binary) before the value
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html).
 */
export function attributesMd5(attributes: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = []
  const prefixed = (data: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    parts.push(length, data)
  }

  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name]
    prefixed(Buffer.from(name))
    prefixed(Buffer.from(value.DataType))
    const binary = value.BinaryValue !== undefined
    parts.push(Buffer.from([binary ? 2 : 1]))
    prefixed(binary ? Buffer.from(value.BinaryValue!, 'base64') : Buffer.from(value.StringValue ?? ''))
  }

  return md5(Buffer.concat(parts))
}

export class LocalQueue {
  private readonly messages: StoredMessage[] = []
  private readonly waiters = new Set<() => void>()
  readonly createdAt = Date.now()

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly url: string,
    readonly settings: Required<QueueSettings>,
    private readonly now: () => number = Date.now,
  ) {}

  send(
    body: string,
    attributes?: Record<string, MessageAttributeValue>,
  ): {MD5OfMessageAttributes?: string; MD5OfMessageBody: string; MessageId: string} {
    const now = this.now()
    const hasAttributes = attributes !== undefined && Object.keys(attributes).length > 0
    const message: StoredMessage = {
      attributes: hasAttributes ? attributes : undefined,
      attributesMd5: hasAttributes ? attributesMd5(attributes) : undefined,
      body,
      bodyMd5: md5(body),
      id: randomUUID(),
      receiveCount: 0,
      sentAt: now,
      visibleAt: now,
    }
    this.messages.push(message)
    for (const wake of [...this.waiters]) wake()
    return {MD5OfMessageAttributes: message.attributesMd5, MD5OfMessageBody: message.bodyMd5, MessageId: message.id}
  }

  /** Messages now visible, up to `max`, hidden for `visibilitySeconds` afterwards. */
  take(max: number, visibilitySeconds = this.settings.visibilityTimeoutSeconds): StoredMessage[] {
    this.expire()
    const now = this.now()
    const taken = this.messages.filter((message) => message.visibleAt <= now).slice(0, max)
    for (const message of taken) {
      message.receiveCount += 1
      message.firstReceivedAt ??= now
      message.receiptHandle = `${message.id}#${randomUUID()}`
      message.visibleAt = now + visibilitySeconds * 1000
    }

    return taken
  }

  /** Waits until a message may be visible or `ms` pass. */
  async waitForMessage(ms: number): Promise<void> {
    if (ms <= 0) return
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.waiters.delete(done)
        resolve()
      }

      const timer = setTimeout(done, ms)
      this.waiters.add(done)
    })
  }

  /** Deletes by receipt handle; false when the handle names no message (SQS: ReceiptHandleIsInvalid). */
  delete(receiptHandle: string): boolean {
    const id = receiptHandle.split('#')[0]
    const index = this.messages.findIndex((message) => message.id === id)
    if (index === -1) return receiptHandle.includes('#') // already deleted: SQS answers success
    this.messages.splice(index, 1)
    return true
  }

  purge(): void {
    this.messages.length = 0
  }

  counts(): {invisible: number; visible: number} {
    this.expire()
    const now = this.now()
    const visible = this.messages.filter((message) => message.visibleAt <= now).length
    return {invisible: this.messages.length - visible, visible}
  }

  /** Release long polls (the server is stopping). */
  wakeAll(): void {
    for (const wake of [...this.waiters]) wake()
  }

  private expire(): void {
    const oldest = this.now() - this.settings.messageRetentionSeconds * 1000
    while (this.messages.length > 0 && this.messages[0].sentAt < oldest) this.messages.shift()
  }
}
