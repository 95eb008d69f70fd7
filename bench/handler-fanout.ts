// Handler fan-out under AWS-like latency: the generated `sendmessage` handler's broadcast (runtime/broadcast.ts,
// bounded concurrency, lazily paged recipients) against a sequential loop like the seed's sample (scan pages, one
// awaited post per item). Both run in this process against the same fake management client, which takes LATENCY_MS
// per post, and the same recipients, whose every Scan page takes DYNAMODB_MS. Prints each time as a ratio of the
// ideal ceil(N / concurrency) × latency, and the two loops against each other.
//
//   node --import tsx bench/handler-fanout.ts
//   LATENCY_MS=20 DYNAMODB_MS=10 PAGE_SIZE=1000 SIZES=2000,10000 CONCURRENCY=10,25,50,100,200 node --import tsx bench/handler-fanout.ts
import type {ApiGatewayManagementApiClient} from '@aws-sdk/client-apigatewaymanagementapi'

import {broadcast} from '../runtime/broadcast.js'
import {DEFAULT_BROADCAST_CONCURRENCY} from '../runtime/env.js'
import {postToConnection} from '../runtime/management.js'

/** API Gateway's integration timeout: the handler must finish inside it. */
const INTEGRATION_LIMIT_MS = 29_000

const numbers = (text: string | undefined, fallback: number[]) => (text ? text.split(',').map(Number) : fallback)
const latencyMs = Number(process.env.LATENCY_MS ?? 20)
const dynamodbMs = Number(process.env.DYNAMODB_MS ?? 10)
const pageSize = Number(process.env.PAGE_SIZE ?? 1000)
const sizes = numbers(process.env.SIZES, [2000, 10_000])
const concurrencies = numbers(process.env.CONCURRENCY, [10, 25, 50, 100, 200])
const sequentialSize = Number(process.env.SEQUENTIAL_SIZE ?? 2000)

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms)
  })

/** A management client whose every post takes `latencyMs`, as a round trip to AWS would. */
function slowClient() {
  let posts = 0
  const client = {
    async send() {
      await sleep(latencyMs)
      posts++
      return {}
    },
  } as unknown as ApiGatewayManagementApiClient
  return {client, posts: () => posts}
}

/** Connection ids page by page, each Scan page taking `dynamodbMs`, as ConnectionsTable.ids() reads them. */
async function* recipients(count: number): AsyncGenerator<string> {
  for (let start = 0; start < count; start += pageSize) {
    // eslint-disable-next-line no-await-in-loop -- pages are sequential, as with DynamoDB
    if (dynamodbMs > 0) await sleep(dynamodbMs)
    for (let i = start; i < Math.min(count, start + pageSize); i++) yield `conn-${i}`
  }
}

async function timed(count: number, run: (client: ApiGatewayManagementApiClient) => Promise<unknown>): Promise<number> {
  const fake = slowClient()
  const started = performance.now()
  await run(fake.client)
  const elapsed = performance.now() - started
  if (fake.posts() !== count) throw new Error(`posted ${fake.posts()} of ${count}`)
  return elapsed
}

const generated = (count: number, concurrency: number) =>
  timed(count, (client) => broadcast({client, concurrency, data: '{"id":"x"}', recipients: recipients(count)}))

/** The seed's loop: for each scanned item, await its post, then the next. */
const sequential = (count: number) =>
  timed(count, async (client) => {
    for await (const id of recipients(count)) await postToConnection(client, id, '{"id":"x"}')
  })

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const ratio = (value: number) => `${value.toFixed(2)}×`
const pad = (cells: string[]) =>
  cells
    .map((cell, i) => cell.padEnd([7, 27, 10, 10, 8][i] ?? 0))
    .join(' ')
    .trimEnd()

console.log(
  `Fan-out of one broadcast: ${latencyMs} ms per post, ${dynamodbMs} ms per Scan page of ${pageSize} ids, node ${process.version}`,
)
console.log(pad(['N', 'loop', 'measured', 'ideal', 'ratio', '< 29 s']))
const results = new Map<string, number>()
for (const count of sizes) {
  for (const concurrency of concurrencies) {
    const ideal = Math.ceil(count / concurrency) * latencyMs
    // eslint-disable-next-line no-await-in-loop -- one measurement at a time, or they would share the machine
    const ms = await generated(count, concurrency)
    results.set(`${count}/${concurrency}`, ms)
    const marker = concurrency === DEFAULT_BROADCAST_CONCURRENCY ? ' (default)' : ''
    console.log(
      pad([
        String(count),
        `generated c=${concurrency}${marker}`,
        seconds(ms),
        seconds(ideal),
        ratio(ms / ideal),
        ms < INTEGRATION_LIMIT_MS ? 'yes' : 'NO',
      ]),
    )
  }
}

const sequentialIdeal = sequentialSize * latencyMs
const sequentialMs = await sequential(sequentialSize)
console.log(
  pad([
    String(sequentialSize),
    'sequential loop',
    seconds(sequentialMs),
    seconds(sequentialIdeal),
    ratio(sequentialMs / sequentialIdeal),
    sequentialMs < INTEGRATION_LIMIT_MS ? 'yes' : 'NO',
  ]),
)

const generatedAtSequentialSize =
  results.get(`${sequentialSize}/${DEFAULT_BROADCAST_CONCURRENCY}`) ??
  (await generated(sequentialSize, DEFAULT_BROADCAST_CONCURRENCY))
const largest = Math.max(...sizes)
const sequentialAtLargest = largest * latencyMs
console.log(
  `\nAt ${sequentialSize} connections the sequential loop takes ${ratio(sequentialMs / generatedAtSequentialSize)} as long as the generated handler (concurrency ${DEFAULT_BROADCAST_CONCURRENCY}); ` +
    `at ${largest} it would need at least ${seconds(sequentialAtLargest)} (N × latency)${sequentialAtLargest >= INTEGRATION_LIMIT_MS ? ', past the 29 s limit' : ''}.`,
)

// Which settings meet both targets at every size: within 2× of the ideal, and inside 29 s.
const meeting = concurrencies.filter((concurrency) =>
  sizes.every((count) => {
    const ms = results.get(`${count}/${concurrency}`) as number
    return ms <= 2 * Math.ceil(count / concurrency) * latencyMs && ms < INTEGRATION_LIMIT_MS
  }),
)
console.log(
  `Within 2× of ideal and inside 29 s at ${sizes.join(' and ')} connections: concurrency ${meeting.length > 0 ? meeting.join(', ') : 'none of ' + concurrencies.join(', ')}.`,
)
console.log(
  `Posts per second at concurrency c and ${latencyMs} ms per post: c × ${Math.round(1000 / latencyMs)} (API Gateway's account throttle is 10,000 requests/s, shared).`,
)
