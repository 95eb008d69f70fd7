import assert from 'node:assert/strict'

import {
  type AsyncEvent,
  type AsyncInvokeConfig,
  AsyncInvocations,
  type AsyncStep,
  type DestinationRecord,
} from '../../../src/lib/dev/async-invocations.js'
import type {InvokeResult} from '../../../src/lib/dev/invoker.js'

const failure = (message = 'boom', errorType = 'Error'): InvokeResult => ({
  durationMs: 3,
  error: {errorMessage: message, errorType, stack: `${errorType}: ${message}\n    at handler`},
  ok: false,
  reason: 'error',
})
const success = (payload: unknown): InvokeResult => ({durationMs: 2, ok: true, payload})

/** An async queue whose function answers from `results` in turn; records everything it is told. */
function harness(
  config: Partial<AsyncInvokeConfig>,
  results: InvokeResult[],
  options: {beforeRun?: () => void; clock?: {now: number}; retryDelayMs?: number} = {},
) {
  const {clock} = options
  const runs: AsyncEvent[] = []
  const steps: AsyncStep[] = []
  const delivered: Array<{destination: string; record: DestinationRecord}> = []
  const deadLetters: Array<{error?: string; payload: string; target: string}> = []
  const queue = new AsyncInvocations({
    configFor: () => ({maximumEventAgeSeconds: 21_600, maximumRetryAttempts: 2, ...config}),
    deadLetter: (target, event, error) =>
      deadLetters.push({error: error?.errorMessage, payload: event.payload, target}),
    deliver: (destination, record) => delivered.push({destination, record}),
    now: clock ? () => clock.now : undefined,
    onStep: (_event, step) => steps.push(step),
    retryDelayMs: options.retryDelayMs ?? 1,
    async run(event) {
      options.beforeRun?.()
      runs.push({...event})
      return results.shift() ?? success(null)
    },
  })
  return {deadLetters, delivered, queue, runs, steps}
}

const event = {
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fanout',
  functionName: 'fanout',
  payload: '{"shard":3}',
  requestId: 'req-1',
}

describe("dev: Lambda's asynchronous invocations", () => {
  it('retries a function error twice by default, with the same request id, then sends the record to OnFailure', async () => {
    const {delivered, queue, runs, steps} = harness({onFailure: 'arn:aws:sqs:us-east-1:000000000000:dlq'}, [
      failure('one'),
      failure('two'),
      failure('three'),
    ])
    queue.enqueue(event)
    await queue.idle()
    assert.equal(runs.length, 3)
    assert.deepEqual(
      runs.map((run) => [run.requestId, run.attempts]),
      [
        ['req-1', 1],
        ['req-1', 2],
        ['req-1', 3],
      ],
    )
    assert.deepEqual(
      steps.map((step) => step.kind),
      ['retry', 'retry', 'failed'],
    )
    assert.deepEqual(
      steps.filter((step) => step.kind === 'retry').map((step) => (step as {inMs: number}).inMs),
      [1, 2],
      'the second retry waits twice as long as the first (AWS: 1 then 2 minutes)',
    )
    assert.equal(delivered.length, 1)
    const {destination, record} = delivered[0]
    assert.equal(destination, 'arn:aws:sqs:us-east-1:000000000000:dlq')
    assert.equal(record.version, '1.0')
    assert.ok(!Number.isNaN(Date.parse(record.timestamp)))
    assert.deepEqual(record.requestContext, {
      approximateInvokeCount: 3,
      condition: 'RetriesExhausted',
      functionArn: `${event.functionArn}:$LATEST`,
      requestId: 'req-1',
    })
    assert.deepEqual(record.requestPayload, {shard: 3})
    assert.deepEqual(record.responseContext, {executedVersion: '$LATEST', functionError: 'Unhandled', statusCode: 200})
    assert.deepEqual(record.responsePayload, {
      errorMessage: 'three',
      errorType: 'Error',
      trace: ['Error: three', '    at handler'],
    })
  })

  it('MaximumRetryAttempts 0: one attempt, then the destination and the dead-letter queue', async () => {
    const {deadLetters, delivered, queue, runs} = harness(
      {deadLetterTarget: 'arn:aws:sqs:us-east-1:000000000000:legacy', maximumRetryAttempts: 0, onFailure: 'arn:x'},
      [failure('only')],
    )
    queue.enqueue(event)
    await queue.idle()
    assert.equal(runs.length, 1)
    assert.equal(delivered[0].record.requestContext.approximateInvokeCount, 1)
    assert.deepEqual(deadLetters, [
      {error: 'only', payload: '{"shard":3}', target: 'arn:aws:sqs:us-east-1:000000000000:legacy'},
    ])
  })

  it('stops retrying once the event would be older than MaximumEventAgeInSeconds: EventAgeExceeded', async () => {
    const clock = {now: 1_000_000}
    // The first attempt takes (or waits) a minute.
    const {delivered, queue, runs} = harness({maximumEventAgeSeconds: 60, onFailure: 'arn:x'}, [failure()], {
      beforeRun: () => (clock.now += 60_000),
      clock,
    })

    queue.enqueue(event)
    await queue.idle()
    assert.equal(runs.length, 1)
    assert.equal(delivered[0].record.requestContext.condition, 'EventAgeExceeded')
    assert.equal(delivered[0].record.requestContext.approximateInvokeCount, 1)
  })

  it('a success after a failure goes to OnSuccess with the response, and nothing to OnFailure', async () => {
    const {delivered, queue, runs} = harness({onFailure: 'arn:fail', onSuccess: 'arn:ok'}, [
      failure(),
      success({sent: 10}),
    ])
    queue.enqueue(event)
    await queue.idle()
    assert.equal(runs.length, 2)
    assert.equal(delivered.length, 1)
    assert.equal(delivered[0].destination, 'arn:ok')
    assert.equal(delivered[0].record.requestContext.condition, 'Success')
    assert.equal(delivered[0].record.requestContext.approximateInvokeCount, 2)
    assert.deepEqual(delivered[0].record.responseContext, {
      executedVersion: '$LATEST',
      functionError: undefined,
      statusCode: 200,
    })
    assert.deepEqual(delivered[0].record.responsePayload, {sent: 10})
  })

  it('throttling is retried without counting against MaximumRetryAttempts', async () => {
    const throttled = failure('Rate exceeded', 'TooManyRequestsException')
    const {queue, runs, steps} = harness({maximumRetryAttempts: 0}, [throttled, success('done')])
    queue.enqueue(event)
    await queue.idle()
    assert.equal(runs.length, 2)
    assert.deepEqual(
      runs.map((run) => run.attempts),
      [1, 1],
    )
    assert.deepEqual(steps.at(-1), {kind: 'succeeded'})
    assert.equal((steps[0] as {throttled: boolean}).throttled, true)
  })

  it('close drops waiting retries', async () => {
    const {queue, runs} = harness({}, [failure(), failure(), failure()], {retryDelayMs: 60_000})
    queue.enqueue(event)
    while (runs.length === 0 || queue.pending === 0) await new Promise((resolve) => setImmediate(resolve))
    await queue.close()
    assert.equal(queue.pending, 0)
    assert.equal(runs.length, 1)
  })
})
