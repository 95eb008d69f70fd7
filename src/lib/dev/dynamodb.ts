import {request as httpRequest, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {Readable} from 'node:stream'

import {WsapiError} from '../errors.js'
import type {TableModel} from '../project/index.js'
import {hostRefusal, servedHosts, visible} from './access.js'

/** A table of the template, under the name the handlers see. */
export interface LocalTable {
  /** GlobalSecondaryIndexes / LocalSecondaryIndexes as written in the template (literal values only). */
  indexes?: {global?: unknown[]; local?: unknown[]}
  model: TableModel
  name: string
}

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

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void

/** dynalite insists on a signature's shape, never on its validity. */
const FAKE_SIGNATURE =
  'AWS4-HMAC-SHA256 Credential=AKIAWSAPIDEVLOCAL000/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0'

async function call<T>(endpoint: string, operation: string, body: unknown): Promise<T> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${endpoint}/`,
      {
        headers: {
          authorization: FAKE_SIGNATURE,
          'content-length': Buffer.byteLength(payload),
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-date': '20240101T000000Z',
          'x-amz-target': `DynamoDB_20120810.${operation}`,
        },
        method: 'POST',
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const parsed = (text ? JSON.parse(text) : {}) as T & {__type?: string; message?: string}
          if ((response.statusCode ?? 500) >= 400)
            reject(
              Object.assign(new Error(parsed.message ?? text), {
                type: String(parsed.__type ?? '')
                  .split('#')
                  .pop(),
              }),
            )
          else resolve(parsed)
        })
      },
    )
    request.on('error', reject)
    request.end(payload)
  })
}

function keySchema(model: TableModel) {
  return [
    {AttributeName: model.hashKey.name, KeyType: 'HASH'},
    ...(model.rangeKey ? [{AttributeName: model.rangeKey.name, KeyType: 'RANGE'}] : []),
  ]
}

function withoutThroughput(indexes: unknown[] | undefined): unknown[] | undefined {
  return indexes?.map((index) => {
    const {ProvisionedThroughput: _, ...rest} = index as Record<string, unknown>
    return rest
  })
}

async function ensureTable(endpoint: string, table: LocalTable): Promise<void> {
  const schema = keySchema(table.model)
  try {
    const existing = await call<{Table: {KeySchema: unknown}}>(endpoint, 'DescribeTable', {TableName: table.name})
    if (JSON.stringify(existing.Table.KeySchema) !== JSON.stringify(schema)) {
      throw new WsapiError(
        `Table ${table.model.logicalId} (${table.name}) in the --persist folder has other keys than template.yaml; delete the folder or use another one.`,
        {code: 'PERSISTED_TABLE_MISMATCH', exit: 2},
      )
    }

    return
  } catch (error) {
    if ((error as {type?: string}).type !== 'ResourceNotFoundException') throw error
  }

  await call(endpoint, 'CreateTable', {
    AttributeDefinitions: table.model.attributeDefinitions.map((definition) => ({
      AttributeName: definition.name,
      AttributeType: definition.type,
    })),
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: withoutThroughput(table.indexes?.global),
    KeySchema: schema,
    LocalSecondaryIndexes: table.indexes?.local,
    TableName: table.name,
  })
}

/** How long close() waits for requests already received (each is one DynamoDB call: milliseconds normally). */
const CLOSE_DRAIN_MS = 10_000

/** A request that has been read to the end, handed to dynalite as if it had just arrived. */
function replay(request: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = Readable.from(body.length > 0 ? [body] : []) as unknown as IncomingMessage
  copy.headers = request.headers
  copy.method = request.method
  copy.url = request.url
  return copy
}

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
  const ttl = new Map(
    options.tables.filter((table) => table.model.ttlAttribute).map((table) => [table.name, table.model.ttlAttribute!]),
  )
  const latencyMs = options.latencyMs ?? 0
  /** The Host values of the endpoint, known once it listens. */
  let served: string[] = []

  const answer500 = (response: ServerResponse, error: unknown) => {
    const text = JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
      message: error instanceof Error ? error.message : String(error),
    })
    response.writeHead(500, {'content-length': Buffer.byteLength(text), 'content-type': 'application/x-amz-json-1.0'})
    response.end(text)
  }

  const answer = (response: ServerResponse, body: unknown) => {
    const text = JSON.stringify(body)
    response.writeHead(200, {'content-length': Buffer.byteLength(text), 'content-type': 'application/x-amz-json-1.0'})
    response.end(text)
  }

  // Requests received and not yet answered. close() waits for them: dynalite throws (and would take the whole
  // dev server down) when an operation it has started meets a closed database.
  let inFlight = 0
  let received = 0
  let closing = false
  let drained: (() => void) | undefined
  const settle = () => {
    if (--inFlight === 0) drained?.()
  }

  // Read each request ourselves: dynalite throws from a request 'error' listener, which would take the
  // whole dev server down when a handler's environment is killed mid-request.
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    // Programs on this machine only (README "Security"): a browser sends Origin on every cross-origin request
    // (and dynalite would answer it with Access-Control-Allow-Origin: *); a foreign Host is DNS rebinding.
    const refusal =
      request.headers.origin === undefined
        ? hostRefusal(request.headers.host, served)
        : `Origin "${visible(request.headers.origin)}": the embedded DynamoDB answers programs on this machine, not web pages`
    if (refusal) {
      options.onRefused?.(`Refused a DynamoDB request with ${refusal}`)
      request.resume()
      const text = JSON.stringify({
        __type: 'com.amazon.coral.service#AccessDeniedException',
        message: 'wsapi dev: the embedded DynamoDB answers programs on this machine only',
      })
      response.writeHead(403, {'content-length': Buffer.byteLength(text), 'content-type': 'application/x-amz-json-1.0'})
      response.end(text)
      return
    }

    const chunks: Buffer[] = []
    request.on('error', () => response.destroy())
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (closing) {
        response.destroy()
        return
      }

      inFlight++
      received++
      let answered = false
      const end = response.end.bind(response)
      response.end = ((...args: Parameters<ServerResponse['end']>) => {
        if (!answered) {
          answered = true
          settle()
        }

        return end(...args)
      }) as ServerResponse['end']
      const body = Buffer.concat(chunks)
      const handle = () => {
        const target = String(request.headers['x-amz-target'] ?? '')
        if (target.endsWith('.DescribeTimeToLive') || target.endsWith('.UpdateTimeToLive')) {
          const {TableName: tableName, TimeToLiveSpecification: specification} = JSON.parse(
            body.toString('utf8') || '{}',
          ) as {
            TableName?: string
            TimeToLiveSpecification?: {AttributeName: string; Enabled: boolean}
          }
          if (specification && tableName) {
            if (specification.Enabled) ttl.set(tableName, specification.AttributeName)
            else ttl.delete(tableName)
            answer(response, {TimeToLiveSpecification: specification})
          } else {
            const attribute = tableName ? ttl.get(tableName) : undefined
            answer(response, {
              TimeToLiveDescription: attribute
                ? {AttributeName: attribute, TimeToLiveStatus: 'ENABLED'}
                : {TimeToLiveStatus: 'DISABLED'},
            })
          }

          return
        }

        dynaliteHandler(replay(request, body), response)
      }

      const handleSafely = () => {
        try {
          handle()
        } catch (error) {
          // A request dynalite (or the TTL shim) can't parse: a 500 for that caller, never a crash.
          if (!answered) answer500(response, error)
        }
      }

      if (latencyMs > 0) setTimeout(handleSafely, latencyMs)
      else handleSafely()
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const {port} = server.address() as AddressInfo
  served = servedHosts('127.0.0.1', port)
  const endpoint = `http://127.0.0.1:${port}`
  const close = async () => {
    clearInterval(sweeper)
    closing = true
    if (inFlight > 0) {
      await new Promise<void>((resolve) => {
        drained = resolve
        setTimeout(resolve, CLOSE_DRAIN_MS).unref()
      })
    }

    server.closeAllConnections?.()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  const sweepExpired = async (): Promise<number> => {
    let deleted = 0
    const now = Math.floor(Date.now() / 1000)
    for (const table of options.tables) {
      const attribute = ttl.get(table.name)
      if (!attribute) continue
      let startKey: unknown
      do {
        // eslint-disable-next-line no-await-in-loop -- pages are sequential
        const page = await call<{Items?: Array<Record<string, unknown>>; LastEvaluatedKey?: unknown}>(
          endpoint,
          'Scan',
          {
            ExclusiveStartKey: startKey,
            ExpressionAttributeNames: {'#ttl': attribute},
            ExpressionAttributeValues: {':now': {N: String(now)}},
            FilterExpression: '#ttl < :now',
            TableName: table.name,
          },
        )
        for (const item of page.Items ?? []) {
          const key: Record<string, unknown> = {[table.model.hashKey.name]: item[table.model.hashKey.name]}
          if (table.model.rangeKey) key[table.model.rangeKey.name] = item[table.model.rangeKey.name]
          // eslint-disable-next-line no-await-in-loop
          await call(endpoint, 'DeleteItem', {Key: key, TableName: table.name})
          deleted++
        }

        startKey = page.LastEvaluatedKey
      } while (startKey)
    }

    return deleted
  }

  const sweeper = setInterval(() => void sweepExpired().catch(() => {}), options.ttlSweepMs ?? 60_000)
  sweeper.unref()
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
      return received
    },
    sweepExpired,
  }
}
