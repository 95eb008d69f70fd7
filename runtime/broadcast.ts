import type {ApiGatewayManagementApiClient} from '@aws-sdk/client-apigatewaymanagementapi'

import {DEFAULT_BROADCAST_CONCURRENCY} from './env.js'
import {isGone, postToConnection} from './management.js'

export interface BroadcastResult {
  /** Posts that failed for another reason (throttling, payload, permissions). */
  failed: number
  /** Recipients that @connections answered 410 (gone) for, each handed to `onGone`. */
  gone: number
  sent: number
}

export interface BroadcastOptions {
  client: ApiGatewayManagementApiClient
  /** How many posts run at once. */
  concurrency?: number
  /** The text every recipient receives. */
  data: string
  /** Called with each recipient that had gone, to forget it. */
  onGone?: (connectionId: string) => Promise<unknown>
  /** Called with each failure other than 410. */
  onError?: (connectionId: string, error: unknown) => void
  recipients: AsyncIterable<string> | Iterable<string>
}

/**
 * Posts `data` to every recipient with at most `concurrency` posts in flight, pulling recipients
 * lazily so that a paginated scan overlaps with sending. A recipient that is gone is removed (the
 * recipient, not the sender: the AWS sample gets this wrong); other failures are counted, never thrown.
 */
export async function broadcast(options: BroadcastOptions): Promise<BroadcastResult> {
  const result: BroadcastResult = {failed: 0, gone: 0, sent: 0}
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_BROADCAST_CONCURRENCY)
  const iterator = (
    Symbol.asyncIterator in options.recipients
      ? options.recipients[Symbol.asyncIterator]()
      : options.recipients[Symbol.iterator]()
  ) as AsyncIterator<string> | Iterator<string>
  let reading: Promise<unknown> = Promise.resolve()
  // Workers share one iterator; reads are chained so that two workers never call next() at once.
  const next = (): Promise<IteratorResult<string>> => {
    const step = reading.then(() => iterator.next())
    reading = step.catch(() => {})
    return step
  }

  const worker = async () => {
    for (let item = await next(); !item.done; item = await next()) {
      const connectionId = item.value
      try {
        await postToConnection(options.client, connectionId, options.data)
        result.sent++
      } catch (error) {
        if (isGone(error)) {
          result.gone++
          await options
            .onGone?.(connectionId)
            .catch((cleanupError: unknown) => options.onError?.(connectionId, cleanupError))
        } else {
          result.failed++
          options.onError?.(connectionId, error)
        }
      }
    }
  }

  await Promise.all(Array.from({length: concurrency}, () => worker()))
  return result
}
