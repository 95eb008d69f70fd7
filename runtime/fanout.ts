import {ApiGatewayManagementApiClient} from '@aws-sdk/client-apigatewaymanagementapi'
import {InvokeCommand, type LambdaClient} from '@aws-sdk/client-lambda'

import type {ConnectionsTable, ScanKey} from './connections.js'
import {concurrencyFromEnv, requiredEnv} from './env.js'
import {isGone, postToConnection} from './management.js'
import {backoffMs, DEFAULT_POSTS_PER_SECOND, isThrottled, isTransient, Pacer, type Sleep, sleep} from './pacing.js'

/** What the Lambda runtime passes as a handler's second argument, as far as fan-out uses it. */
export interface LambdaContext {
  awsRequestId: string
  functionName: string
  getRemainingTimeInMillis(): number
}

/** FANOUT_SHARDS unless set: 16 shards at 562 posts/s each reach the default budget of 9,000/s (see the README). */
export const DEFAULT_FANOUT_SHARDS = 16
/**
 * FANOUT_INLINE_MAX unless set: below this many recipients the route's function posts to all of them itself. At
 * 256 MB that takes under half a second, about what starting a cold fan-out function takes: a second hop gains nothing.
 */
export const DEFAULT_FANOUT_INLINE_MAX = 250
/** Recipients read per Scan page by a shard; it bounds what a hand-off carries (about 20 bytes each). */
export const SHARD_PAGE_SIZE = 1000
/** A shard hands its remainder on when less than this is left before its timeout. */
export const HANDOFF_RESERVE_MS = 10_000
/** Hand-offs of one part of a broadcast before it is given up to the on-failure destination. */
export const MAX_HANDOFFS = 50
/** Attempts at a recipient whose posts fail for a transient reason (5xx, no answer); throttling is not counted. */
export const MAX_TRANSIENT_ATTEMPTS = 3

const deliveryClients = new Map<string, ApiGatewayManagementApiClient>()

/**
 * A client of the @connections endpoint that makes one attempt per call: `deliver` retries throttled posts
 * itself, paced and for as long as there is time, where the SDK would give up after three attempts. A post
 * with no answer after 10 s is abandoned (and retried), so that a stuck socket cannot eat the time left.
 */
export function deliveryClient(endpoint: string, env: NodeJS.ProcessEnv = process.env): ApiGatewayManagementApiClient {
  let client = deliveryClients.get(endpoint)
  if (!client) {
    const maxSockets = concurrencyFromEnv(env)
    client = new ApiGatewayManagementApiClient({
      cacheMiddleware: true,
      endpoint,
      maxAttempts: 1,
      requestHandler: {httpAgent: {maxSockets}, httpsAgent: {maxSockets}, requestTimeout: 10_000},
    })
    deliveryClients.set(endpoint, client)
  }

  return client
}

/** How a route handler splits broadcasts, from the environment the template sets. */
export interface FanoutSettings {
  /** The fan-out function (FANOUT_FUNCTION). */
  functionName: string
  /** Audiences smaller than this are posted to inline (FANOUT_INLINE_MAX). */
  inlineMax: number
  /** The budget of @connections calls per second for one broadcast, shared by its shards (FANOUT_POSTS_PER_SECOND). */
  postsPerSecond: number
  /** Parallel scan segments, one invocation each (FANOUT_SHARDS). */
  shards: number
}

function positiveNumber(value: string | undefined, fallback: number, integer: boolean): number {
  const number = Number(value)
  return value !== undefined && value.trim() !== '' && number > 0 && (!integer || Number.isInteger(number))
    ? number
    : fallback
}

/** Reads FANOUT_FUNCTION (required), FANOUT_SHARDS, FANOUT_INLINE_MAX and FANOUT_POSTS_PER_SECOND; a bad number falls back to the default. */
export function fanoutSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): FanoutSettings {
  return {
    functionName: requiredEnv('FANOUT_FUNCTION', env),
    inlineMax: positiveNumber(env.FANOUT_INLINE_MAX, DEFAULT_FANOUT_INLINE_MAX, true),
    postsPerSecond: positiveNumber(env.FANOUT_POSTS_PER_SECOND, DEFAULT_POSTS_PER_SECOND, false),
    shards: positiveNumber(env.FANOUT_SHARDS, DEFAULT_FANOUT_SHARDS, true),
  }
}

/** One broadcast, as every invocation that delivers a part of it sees it. */
export interface BroadcastSpec {
  /** The message's `data`, which every recipient receives as JSON text. */
  data: unknown
  /** The @connections endpoint of the API that received the message. */
  endpoint: string
  /** API Gateway's id of the message that started the broadcast; logs and the dead-letter queue carry it. */
  id: string
  route: string
  /** When API Gateway received the message (epoch ms): FanoutDuration counts from here. */
  startedAt: number
}

/** The event of one fan-out invocation: a part of a broadcast's audience. */
export interface ShardTask {
  broadcast: BroadcastSpec
  /** How many invocations handed this part on before this one. */
  handoffs?: number
  /** Recipients to post to first: those an earlier invocation read but had no time left for. */
  pending?: string[]
  /** @connections calls per second this part may make. */
  postsPerSecond: number
  /** The parallel scan segment to read, from `startKey` on; absent when nothing is left to read. */
  scan?: {segment: number; startKey?: ScanKey; totalSegments: number}
}

/** One task per parallel scan segment, each with an equal share of the broadcast's budget. */
export function planShards(
  broadcast: BroadcastSpec,
  settings: Pick<FanoutSettings, 'postsPerSecond' | 'shards'>,
): ShardTask[] {
  return Array.from({length: settings.shards}, (_, segment) => ({
    broadcast,
    postsPerSecond: settings.postsPerSecond / settings.shards,
    scan: {segment, totalSegments: settings.shards},
  }))
}

/**
 * Queues `task` for the fan-out function (InvocationType Event): Lambda answers 202 at once, runs it, retries
 * it on error and sends it to the on-failure destination after the retries its EventInvokeConfig allows
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).
 */
export async function invokeAsync(lambda: LambdaClient, functionName: string, task: ShardTask): Promise<void> {
  await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify(task)),
    }),
  )
}

/** Invokes every task at once; the errors are those of tasks that could not be queued (the SDK has already retried them). */
export async function dispatchShards(
  lambda: LambdaClient,
  functionName: string,
  tasks: ShardTask[],
): Promise<{dispatched: number; errors: unknown[]}> {
  const results = await Promise.allSettled(tasks.map((task) => invokeAsync(lambda, functionName, task)))
  const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []))
  return {dispatched: tasks.length - errors.length, errors}
}

export interface DeliveryCounts {
  /** Recipients that could not be reached for another reason (403, 413, or transient errors past the attempts). */
  failed: number
  /** Recipients that @connections answered 410 (gone) for, each removed from the table unless it had just connected. */
  gone: number
  sent: number
  /** 429 answers (each retried until it went through, or handed on). */
  throttled: number
}

export interface DeliverOptions {
  client: ApiGatewayManagementApiClient
  clock?: () => number
  /** Posts in flight at once. */
  concurrency: number
  /** Called with each failure that is counted in `failed`, and with failures to remove a gone recipient. */
  onError?: (connectionId: string, error: unknown) => void
  pageSize?: number
  random?: () => number
  /** Milliseconds left before the function times out: Lambda's `context.getRemainingTimeInMillis`. */
  remainingMs: () => number
  /** Stop and hand on when less than this is left. */
  reserveMs?: number
  sleep?: Sleep
  table: ConnectionsTable
  task: ShardTask
}

export interface DeliveryOutcome {
  counts: DeliveryCounts
  /** Time spent in this invocation (ms). */
  ms: number
  /** What is left when time ran short: the task for the next invocation. */
  remainder?: ShardTask
}

/**
 * Posts the broadcast's data to the task's recipients: first its `pending` ones, then those of its scan segment,
 * page by page (the next page is read while the last posts of a page are in flight), at most `concurrency` at
 * once, paced to `postsPerSecond`.
 *
 * - 410 Gone: the recipient's item is deleted, unless it connected moments ago (ConnectionsTable.removeGone).
 * - 429 LimitExceededException: retried with backoff and jitter for as long as the function has time; a
 *   throttled recipient is never dropped.
 * - 5xx or no answer: retried up to MAX_TRANSIENT_ATTEMPTS times, then counted as failed; any other error
 *   (403, 413) is counted as failed at once, as another try would fail the same way.
 *
 * When less than `reserveMs` remains, no new post starts; what is left (recipients read but not reached, and
 * the scan position) comes back as `remainder`, for another invocation. A Scan that fails (after the SDK's own
 * retries) is thrown, so that Lambda retries the invocation.
 */
export async function deliver(options: DeliverOptions): Promise<DeliveryOutcome> {
  const {client, concurrency, table, task} = options
  const clock = options.clock ?? Date.now
  const wait = options.sleep ?? sleep
  const reserveMs = options.reserveMs ?? HANDOFF_RESERVE_MS
  const pageSize = options.pageSize ?? SHARD_PAGE_SIZE
  if ((task.handoffs ?? 0) >= MAX_HANDOFFS) {
    // Throttled without end, or a timeout too short to progress: fail, so that the task reaches the dead-letter queue.
    throw new Error(
      `Broadcast ${task.broadcast.id}: handed on ${task.handoffs} times without finishing; giving this part up to the on-failure destination.`,
    )
  }

  // However short the timeout, two thirds of it are for posting, so that a hand-off always has time to post.
  const reserve = Math.min(reserveMs, options.remainingMs() / 3)
  const startedAt = clock()
  const counts: DeliveryCounts = {failed: 0, gone: 0, sent: 0, throttled: 0}
  const text = JSON.stringify(task.broadcast.data)
  const pacer = new Pacer({clock, ratePerSecond: task.postsPerSecond, sleep: wait})
  const queue = [...(task.pending ?? [])]
  const unsent: string[] = []
  let scan = task.scan
  let reading: Promise<void> | undefined
  let failure: {error: unknown} | undefined

  const timeShort = (afterMs = 0) => options.remainingMs() - afterMs < reserve

  /** Reads the next page of the segment into the queue; one read at a time. */
  const read = (): Promise<void> => {
    const current = scan
    if (reading || !current) return reading ?? Promise.resolve()
    reading = table
      .page({
        limit: pageSize,
        segment: {index: current.segment, total: current.totalSegments},
        startKey: current.startKey,
      })
      .then((page) => {
        queue.push(...page.ids)
        scan = page.nextKey ? {...current, startKey: page.nextKey} : undefined
      })
      .finally(() => {
        reading = undefined
      })
    return reading
  }

  const nextRecipient = async (): Promise<string | undefined> => {
    while (queue.length === 0) {
      if (!scan) return undefined
      // Wait for the page that refills the queue.
      await read()
    }

    // Read ahead, so that the queue does not run dry while the next page is on its way; a failed read-ahead
    // is tried again when the queue is empty, and thrown then.
    if (queue.length < concurrency && scan && !reading) read().catch(() => {})
    return queue.shift()
  }

  const deliverTo = async (connectionId: string): Promise<void> => {
    let transientFailures = 0
    for (let attempt = 0; ; attempt++) {
      // Each attempt waits for its slot in the budget.
      await pacer.take()
      try {
        await postToConnection(client, connectionId, text)
        counts.sent++
        return
      } catch (error) {
        if (isGone(error)) {
          counts.gone++
          // Not remove(): a recipient still in its $connect is gone to @connections too, and removeGone keeps it.
          await table
            .removeGone(connectionId)
            .catch((cleanupError: unknown) => options.onError?.(connectionId, cleanupError))
          return
        }

        if (isThrottled(error)) {
          counts.throttled++
        } else if (isTransient(error) && ++transientFailures < MAX_TRANSIENT_ATTEMPTS) {
          // another try below
        } else {
          counts.failed++
          options.onError?.(connectionId, error)
          return
        }
      }

      const delay = backoffMs(attempt, {random: options.random})
      if (timeShort(delay)) {
        unsent.push(connectionId)
        return
      }

      await wait(delay)
    }
  }

  const worker = async () => {
    while (!failure && !timeShort()) {
      let connectionId: string | undefined
      try {
        connectionId = await nextRecipient()
      } catch (error) {
        failure ??= {error}
        return
      }

      if (connectionId === undefined) return
      await deliverTo(connectionId)
    }
  }

  await Promise.all(Array.from({length: Math.max(1, concurrency)}, () => worker()))
  if (failure) throw failure.error
  // A read-ahead may still be on its way: its recipients and position belong to the remainder.
  await reading?.catch(() => {})
  const left = [...unsent, ...queue]
  const remainder: ShardTask | undefined =
    left.length > 0 || scan
      ? {
          broadcast: task.broadcast,
          handoffs: (task.handoffs ?? 0) + 1,
          postsPerSecond: task.postsPerSecond,
          ...(left.length > 0 && {pending: left}),
          ...(scan && {scan}),
        }
      : undefined
  return {counts, ms: clock() - startedAt, remainder}
}
