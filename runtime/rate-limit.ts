import {GetItemCommand, UpdateItemCommand} from '@aws-sdk/client-dynamodb'

import type {ConnectionsTable} from './connections.js'
import {errorReply} from './message.js'

/** `count` messages per second or minute on average for each connection, and at most `burst` at once. */
export interface RateLimit {
  burst: number
  count: number
  per: 'minute' | 'second'
}

/** The attribute of the connection's item that holds its bucket (epoch milliseconds). */
export const BUCKET_ATTRIBUTE = 'bucketFullAt'

/** `10/s`, `30/m`: the form of RATE_LIMIT (and of `wsapi init --rate-limit`). */
const RATE = /^(\d+(?:\.\d+)?)\/([sm])$/

/**
 * Reads RATE_LIMIT (`10/s`, `30/m`) and RATE_LIMIT_BURST, which the template sets. A missing, zero or
 * malformed rate (`off`) means no limit; a missing or bad burst means two seconds' worth (at least 1).
 */
export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimit | undefined {
  const match = RATE.exec(env.RATE_LIMIT?.trim() ?? '')
  const count = Number(match?.[1])
  if (!match || !(count > 0)) return undefined
  const per = match[2] === 's' ? 'second' : 'minute'
  const burst = Number(env.RATE_LIMIT_BURST)
  return {
    burst: Number.isInteger(burst) && burst > 0 ? burst : Math.max(1, Math.ceil((2000 * count) / periodMs(per))),
    count,
    per,
  }
}

function periodMs(per: RateLimit['per']): number {
  return per === 'second' ? 1000 : 60_000
}

export type RateDecision =
  /** `error`: the bucket could not be read or written, and the message was let through (see takeMessageToken). */
  {allowed: true; error?: unknown} | {allowed: false; retryAfterMs: number}

/**
 * Takes one message token from `connectionId`'s bucket, a token bucket (kept as GCRA: one number, the time at
 * which the bucket is full again) on the connection's own item in the connections table. The item expires
 * with the connection (TTL on expiresAt) and $disconnect deletes it, so nothing outlives the connection, and
 * every Lambda instance sees the same bucket.
 *
 * One eventually consistent GetItem, then an UpdateItem conditional on the value read (optimistic locking):
 * - a stale read can only show an older, smaller value, so "limited" from it is always right, and a write
 *   based on it fails its condition and is retried with a strongly consistent read;
 * - a limited message costs that one read and no write.
 *
 * Fails open: if DynamoDB refuses (throttling after the SDK's retries, an outage) or the connection has no
 * item, the message goes through and `error` says why. Refusing would turn a hiccup of the limiter's own
 * bookkeeping into an outage for every client; the broadcast still needs the same table to Scan, and the
 * function's reserved concurrency still bounds what a flood can cost.
 */
export async function takeMessageToken(
  table: ConnectionsTable,
  connectionId: string,
  limit: RateLimit,
  clock: () => number = Date.now,
): Promise<RateDecision> {
  const interval = periodMs(limit.per) / limit.count
  const key = {[table.idAttribute]: {S: connectionId}}
  try {
    // Each lost write means another message took a token, pushing the bucket at least one interval on, so
    // within `burst` losses (unless tokens refill meanwhile) the read says "limited".
    for (let attempt = 0; attempt <= limit.burst + 1; attempt++) {
      // The time of each attempt: a concurrent writer may have counted from a slightly later clock than ours.
      const now = clock()
      // Each attempt depends on the previous one.
      const {Item: item} = await table.client.send(
        new GetItemCommand({
          ConsistentRead: attempt > 0,
          ExpressionAttributeNames: {'#bucket': BUCKET_ATTRIBUTE, '#id': table.idAttribute},
          Key: key,
          ProjectionExpression: '#id, #bucket',
          TableName: table.tableName,
        }),
      )
      if (!item) {
        // An eventually consistent read may miss an item $connect has just written: ask again, consistently.
        if (attempt === 0) continue
        return {allowed: true, error: new Error(`connection ${connectionId} is not in the connections table`)}
      }

      const stored = item[BUCKET_ATTRIBUTE]?.N
      const fullAt = stored === undefined ? now : Math.max(now, Number(stored))
      const next = fullAt + interval
      // The bucket holds `burst` tokens; each message pushes the time it is full again one interval later.
      const excess = next - now - limit.burst * interval
      if (excess > 0) return {allowed: false, retryAfterMs: Math.ceil(excess)}
      try {
        await table.client.send(
          new UpdateItemCommand({
            ConditionExpression:
              stored === undefined ? 'attribute_exists(#id) AND attribute_not_exists(#bucket)' : '#bucket = :stored',
            ExpressionAttributeNames:
              stored === undefined
                ? {'#bucket': BUCKET_ATTRIBUTE, '#id': table.idAttribute}
                : {'#bucket': BUCKET_ATTRIBUTE},
            ExpressionAttributeValues: {
              ':next': {N: String(next)},
              ...(stored === undefined ? {} : {':stored': {N: stored}}),
            },
            Key: key,
            TableName: table.tableName,
            UpdateExpression: 'SET #bucket = :next',
          }),
        )
        return {allowed: true}
      } catch (error) {
        // Another message of this connection wrote first (or the item went): read again.
        if ((error as {name?: string}).name !== 'ConditionalCheckFailedException') throw error
      }
    }
  } catch (error) {
    return {allowed: true, error}
  }

  // Lost every race to this connection's own messages, as fast as tokens refill: it is at its limit.
  return {allowed: false, retryAfterMs: Math.ceil(interval)}
}

/** The error reply to a limited message: {"error": "Rate limited: …", "retryAfterMs": …}. */
export function rateLimitedReply(limit: RateLimit, retryAfterMs: number): string {
  return errorReply(
    `Rate limited: send at most ${limit.count} messages per ${limit.per}, ${limit.burst} at once; this one was dropped, retry in ${retryAfterMs} ms.`,
    {
      retryAfterMs,
    },
  )
}
