import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'

import type {FromWorker, WorkerSetup} from '../../../src/lib/dev/function-worker.js'
import {tempDir} from '../../helpers/tmp.js'

const WORKER = new URL('../../../src/lib/dev/function-worker.ts', import.meta.url)

/** One environment running `source` as index.mjs, as the invoker starts it (the worker loaded through tsx). */
function environment(source: string, handlerName = 'handler') {
  const file = join(tempDir(), 'index.mjs')
  writeFileSync(file, source)
  const tsx = pathToFileURL(
    join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs'),
  ).href
  const setup: WorkerSetup = {
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
    functionName: 'fn',
    handlerName,
    logGroupName: '/aws/lambda/fn',
    logStreamName: 's',
    memorySize: 128,
    moduleUrl: pathToFileURL(file).href,
  }
  const worker = new Worker(
    `import(${JSON.stringify(tsx)}).then(({register}) => { register(); return import(${JSON.stringify(WORKER.href)}) })`,
    {eval: true, workerData: setup},
  )
  const messages: FromWorker[] = []
  const waiters: Array<() => void> = []
  worker.on('message', (message: FromWorker) => {
    messages.push(message)
    for (const waiter of waiters.splice(0)) waiter()
  })
  return {
    invoke(id: number, event: unknown) {
      worker.postMessage({
        deadline: Date.now() + 60_000,
        event: JSON.stringify(event),
        id,
        requestId: `r${id}`,
        type: 'invoke',
      })
    },
    messages,
    /** The first message matching, once it arrives. */
    async next(match: (message: FromWorker) => boolean): Promise<FromWorker> {
      for (;;) {
        const found = messages.find(match)
        if (found) return found
        await new Promise<void>((resolve) => waiters.push(resolve))
      }
    },
    stop: () => worker.terminate(),
    worker,
  }
}

describe('dev: a function environment (worker)', function () {
  this.timeout(60_000)

  it("loads the handler, says ready, and answers each invocation with the JSON of its result and Lambda's context", async () => {
    const env = environment(
      'export const handler = async (event, context) => ({got: event.n, name: context.functionName, id: context.awsRequestId, left: context.getRemainingTimeInMillis() > 0})\n',
    )
    try {
      await env.next((message) => message.type === 'ready')
      env.invoke(1, {n: 7})
      assert.deepEqual(await env.next((message) => message.type === 'result'), {
        id: 1,
        payload: '{"got":7,"name":"fn","id":"r1","left":true}',
        type: 'result',
      })
    } finally {
      await env.stop()
    }
  })

  it('takes callback handlers, and returns null for undefined', async () => {
    const env = environment(
      'export const handler = (event, context, callback) => { setImmediate(() => callback(null, event.answer)) }\n',
    )
    try {
      env.invoke(1, {answer: {via: 'callback'}})
      assert.deepEqual(await env.next((message) => message.type === 'result'), {
        id: 1,
        payload: '{"via":"callback"}',
        type: 'result',
      })
      env.invoke(2, {})
      assert.deepEqual(await env.next((message) => message.type === 'result' && message.id === 2), {
        id: 2,
        payload: 'null',
        type: 'result',
      })
    } finally {
      await env.stop()
    }
  })

  it("passes console lines tagged by level, and a thrown error with the handler's own stack", async () => {
    const env = environment(
      "export const handler = async () => { console.warn('careful %d', 3); throw new TypeError('bad input') }\n",
    )
    try {
      env.invoke(1, {})
      assert.deepEqual(await env.next((message) => message.type === 'log'), {
        level: 'WARN',
        text: 'careful 3',
        type: 'log',
      })
      const error = await env.next((message) => message.type === 'error')
      assert.ok(error.type === 'error')
      assert.equal(error.error.errorType, 'TypeError')
      assert.equal(error.error.errorMessage, 'bad input')
      assert.doesNotMatch(error.error.stack ?? '', /function-worker/)
    } finally {
      await env.stop()
    }
  })

  it('reports an init error when the handler is not exported (Runtime.HandlerNotFound)', async () => {
    const env = environment('export const other = () => 1\n')
    try {
      const init = await env.next((message) => message.type === 'init-error')
      assert.ok(init.type === 'init-error')
      assert.equal(init.error.errorType, 'Runtime.HandlerNotFound')
      assert.equal(init.error.init, true)
    } finally {
      await env.stop()
    }
  })

  it('ends itself when a Buffer would take it over its MemorySize, saying what it held, before allocating it', async () => {
    const env = environment(
      "export const handler = async () => { const held = Buffer.alloc(256 * 1024 * 1024); console.log('allocated'); return held.length }\n",
    )
    const exited = new Promise<number>((resolve) => env.worker.once('exit', resolve))
    try {
      env.invoke(1, {})
      const oom = await env.next((message) => message.type === 'out-of-memory')
      assert.ok(oom.type === 'out-of-memory')
      assert.ok(oom.use.external >= 256 * 1024 * 1024)
      assert.equal(await exited, 1)
      // Stopped inside Buffer.alloc: the handler never got the buffer.
      assert.deepEqual(
        env.messages.filter((message) => message.type === 'result' || message.type === 'log'),
        [],
      )
    } finally {
      await env.stop()
    }
  })

  it('answers a result that cannot be turned into JSON with an error, not a crash', async () => {
    const env = environment('export const handler = async () => { const a = {}; a.self = a; return a }\n')
    try {
      env.invoke(1, {})
      const error = await env.next((message) => message.type === 'error')
      assert.ok(error.type === 'error')
      assert.match(error.error.errorMessage, /circular/i)
      env.invoke(2, {})
      await env.next((message) => message.type === 'error' && message.id === 2)
    } finally {
      await env.stop()
    }
  })
})
