import type {Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {servedHosts} from './access.js'
import {DynamoFront, type RequestHandler} from './dynamodb-proxy.js'
import {ensureTable, type LocalTable} from './dynamodb-tables.js'
import {TimeToLive} from './dynamodb-ttl.js'

export type {LocalTable} from './dynamodb-tables.js'

export interface LocalDynamoOptions {
  /** Delay added to every DynamoDB call, in ms (`--latency-dynamodb`), to mimic AWS round trips. */
  latencyMs?: number
  /** Told why a request was refused (an Origin header, a foreign Host), for the log. */
  onRefused?: (reason: string) => void
  /** Keep data in this folder (LevelDB) instead of memory. */
  persistDir?: string
  tables: LocalTable[]
  /** How often expired items (TTL) are deleted; DynamoDB does it within minutes to days. */
  ttlSweepMs?: number
}

export interface LocalDynamo {
  close(): Promise<void>
  /** http://127.0.0.1:<port>, for AWS_ENDPOINT_URL_DYNAMODB. */
  endpoint: string
  /** Requests received so far (read to the end), answered or not: close() lets all of them finish. */
  readonly received: number
  /** Deletes expired items now; returns how many. */
  sweepExpired(): Promise<number>
}

/** How long close() waits for requests already received (each is one DynamoDB call: milliseconds normally). */
const CLOSE_DRAIN_MS = 10_000

/**
 * dynalite in this process on 127.0.0.1, in memory unless `persistDir`, with every table of the template
 * created (keys, indexes) and Time to Live emulated (dynalite has no UpdateTimeToLive): expired items are
 * swept, and DescribeTimeToLive reports the template's attribute.
 */
export async function startLocalDynamo(options: LocalDynamoOptions): Promise<LocalDynamo> {
  const {default: dynalite} = await import('dynalite')
  const server: Server = dynalite({createTableMs: 0, deleteTableMs: 0, path: options.persistDir, updateTableMs: 0})
  const [dynaliteHandler] = server.listeners('request') as RequestHandler[]
  server.removeAllListeners('request')
  const ttl = new TimeToLive(options.tables)
  /** The Host values of the endpoint, known once it listens. */
  let served: string[] = []
  const front = new DynamoFront({
    answer: (target, body) => ttl.answer(target, body),
    dynalite: dynaliteHandler,
    latencyMs: options.latencyMs,
    onRefused: options.onRefused,
    served: () => served,
  })
  server.on('request', front.handle)

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const {port} = server.address() as AddressInfo
  served = servedHosts('127.0.0.1', port)
  const endpoint = `http://127.0.0.1:${port}`
  const sweepExpired = () => ttl.sweepExpired(endpoint)
  const sweeper = setInterval(() => void sweepExpired().catch(() => {}), options.ttlSweepMs ?? 60_000)
  sweeper.unref()
  const close = async () => {
    clearInterval(sweeper)
    await front.drain(CLOSE_DRAIN_MS)
    server.closeAllConnections?.()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  try {
    for (const table of options.tables) {
      // eslint-disable-next-line no-await-in-loop -- few tables; ordered errors read better
      await ensureTable(endpoint, table)
    }
  } catch (error) {
    await close()
    throw error
  }

  return {
    close,
    endpoint,
    get received() {
      return front.received
    },
    sweepExpired,
  }
}
