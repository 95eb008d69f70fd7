import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {createServer, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {type FunctionCode, FunctionRuntime} from '../../../src/lib/dev/invoker.js'
import {tempDir} from '../../helpers/tmp.js'

function code(source: string, timeoutMs = 2000, memorySize = 128, env: Record<string, string> = {}): FunctionCode {
  const file = join(tempDir(), 'index.mjs')
  writeFileSync(file, source)
  return {
    env: {GREETING: 'hi', ...env},
    setup: {
      functionArn: 'arn',
      functionName: 'fn',
      handlerName: 'handler',
      logGroupName: 'g',
      logStreamName: 's',
      memorySize,
      moduleUrl: pathToFileURL(file).href,
    },
    timeoutMs,
  }
}

/** An HTTP server that holds every request until released: handlers that fetch it stay busy until the test says. */
async function gate() {
  const held: ServerResponse[] = []
  const waiters: Array<() => void> = []
  let open = false
  let requests = 0
  const urls: string[] = []
  const server = createServer((request, response) => {
    requests++
    urls.push(request.url ?? '')
    if (open) response.end('ok')
    else held.push(response)
    for (const waiter of waiters.splice(0)) waiter()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    async arrived(count: number) {
      while (requests < count) await new Promise<void>((resolve) => waiters.push(resolve))
    },
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
    release() {
      open = true
      for (const response of held.splice(0)) response.end('ok')
    },
    get requests() {
      return requests
    },
    /** The path and query of each request, in arrival order. */
    urls,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
  }
}

const GATED = `export async function handler(event) { await (await fetch(process.env.GATE + '?n=' + event.n)).text(); return event.n ?? 'done' }`

describe('dev invoker: worker-thread execution environments', function () {
  this.timeout(20_000)

  it('runs one invocation per environment at a time, up to the concurrency, with its own environment variables', async () => {
    const runtime = new FunctionRuntime(
      code(`let running = 0
export async function handler(event) { running++; const seen = running; await new Promise((r) => setTimeout(r, 100)); running--; return {seen, env: process.env.GREETING, n: event.n} }`),
      {concurrency: 2, onLog() {}},
    )
    const results = await Promise.all([1, 2, 3, 4].map((n) => runtime.invoke(JSON.stringify({n}), `r${n}`)))
    assert.ok(results.every((result) => result.ok))
    assert.deepEqual(
      results.map((result) => result.ok && (result.payload as {seen: number}).seen),
      [1, 1, 1, 1],
      'never two at once in one environment',
    )
    assert.equal(results[0].ok && (results[0].payload as {env: string}).env, 'hi')
    assert.equal(runtime.size, 2)
    await runtime.close()
  })

  it('times out, tells throws from crashes, and keeps serving after each', async () => {
    const logs: string[] = []
    const runtime = new FunctionRuntime(
      code(
        `export async function handler(event) {
  console.log('doing', event.do)
  if (event.do === 'hang') for (;;) {}
  if (event.do === 'throw') throw new TypeError('bad input')
  if (event.do === 'exit') process.exit(7)
  return 'fine'
}`,
        2000,
      ),
      {concurrency: 1, onLog: (line, requestId) => logs.push(`${requestId} ${line.level} ${line.text}`)},
    )
    const hang = await runtime.invoke('{"do":"hang"}', 'a')
    assert.equal(!hang.ok && hang.reason, 'timeout')
    // 2 s: the throw, the exit and the return below must never reach the Timeout on a busy machine.
    assert.equal(!hang.ok && hang.error.errorMessage, 'Task timed out after 2.00 seconds')
    const thrown = await runtime.invoke('{"do":"throw"}', 'b')
    assert.equal(!thrown.ok && thrown.error.errorType, 'TypeError')
    const exited = await runtime.invoke('{"do":"exit"}', 'c')
    assert.equal(!exited.ok && exited.error.errorMessage, 'Runtime exited with error: exit status 7')
    const fine = await runtime.invoke('{}', 'd')
    assert.deepEqual(fine.ok && fine.payload, 'fine')
    assert.ok(logs.includes('b INFO doing throw'))
    await runtime.close()
  })

  it('counts the Timeout from the end of Init, as Lambda does: a slow cold start is not a timeout', async () => {
    // The module takes longer to load than the function's Timeout; Lambda gives Init its own 10 s.
    const runtime = new FunctionRuntime(
      code(
        `await new Promise((r) => setTimeout(r, 1000))
export async function handler() { return 'loaded' }`,
        300,
      ),
      {concurrency: 1, onLog() {}},
    )
    const result = await runtime.invoke('{}', 'a')
    assert.deepEqual(result.ok ? result.payload : result.error, 'loaded')
    await runtime.close()
  })

  it('swaps code: running invocations finish on the old code, new ones get the new code', async () => {
    const runtime = new FunctionRuntime(
      code(`export async function handler() { await new Promise((r) => setTimeout(r, 200)); return 'old' }`),
      {concurrency: 2, onLog() {}},
    )
    assert.equal(await runtime.warm(), true)
    const running = runtime.invoke('{}', 'a')
    runtime.update(code(`export async function handler() { return 'new' }`))
    const next = await runtime.invoke('{}', 'b')
    assert.deepEqual(next.ok && next.payload, 'new')
    const old = await running
    assert.deepEqual(old.ok && old.payload, 'old')
    await runtime.close()
  })

  it('a module that fails to load fails each invocation with the import error', async () => {
    const runtime = new FunctionRuntime(code(`throw new Error('cannot start')`), {concurrency: 1, onLog() {}})
    const result = await runtime.invoke('{}', 'a')
    assert.equal(!result.ok && result.error.errorMessage, 'cannot start')
    assert.equal(await runtime.warm(), false)
    await runtime.close()
  })

  it('ends an environment whose Buffers and ArrayBuffers outgrow MemorySize with Runtime.OutOfMemory; the next invocation gets a new one', async function () {
    this.timeout(120_000)
    const logs: string[] = []
    // 512 MB of Buffers in a 128 MB function, allocated in each way a handler can; the JS heap alone stays small.
    const runtime = new FunctionRuntime(
      code(
        `const held = []
const MB = 1024 * 1024
export async function handler(event) {
  switch (event.mode) {
    case 'timers': while (held.length < 64) { held.push(Buffer.alloc(8 * MB, 1)); await new Promise((r) => setTimeout(r, 1)) } break
    case 'microtasks': while (held.length < 64) { held.push(Buffer.allocUnsafe(8 * MB).fill(1)); await null } break
    case 'one-buffer': held.push(Buffer.alloc(512 * MB, 1)); break
    case 'typed-array': held.push(new Uint8Array(512 * MB).fill(1)); break
    case 'between-invocations': setTimeout(() => held.push(new Uint8Array(512 * MB).fill(1)), 0); break
  }
  return 'survived ' + held.length
}`,
        60_000,
      ),
      {concurrency: 1, onLog: (line) => logs.push(`${line.level} ${line.text}`)},
    )
    for (const mode of ['timers', 'microtasks', 'one-buffer', 'typed-array']) {
      const result = await runtime.invoke(JSON.stringify({mode}), mode)
      assert.equal(result.ok, false, `${mode}: ${JSON.stringify(result)}`)
      assert.equal(!result.ok && result.reason, 'crash')
      assert.equal(!result.ok && result.error.errorType, 'Runtime.OutOfMemory', mode)
      assert.match(
        !result.ok ? result.error.errorMessage : '',
        /^Runtime exited with error: signal: killed \(\d+ MB in use, MemorySize 128 MB: JS heap \d+ MB, Buffers and other external memory \d+ MB\)$/,
      )
      const fine = await runtime.invoke('{}', `${mode}-next`)
      assert.deepEqual(fine.ok && fine.payload, 'survived 0', `after ${mode}`)
    }

    // Memory taken after the invocation answered: the environment ends, and the log says so.
    const answered = await runtime.invoke('{"mode":"between-invocations"}', 'late')
    assert.deepEqual(answered.ok && answered.payload, 'survived 0')
    while (runtime.size > 0) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.ok(
      logs.some((line) => line.startsWith('ERROR Runtime.OutOfMemory: Runtime exited with error: signal: killed')),
      logs.join('\n'),
    )
    const fine = await runtime.invoke('{}', 'last')
    assert.deepEqual(fine.ok && fine.payload, 'survived 0')
    await runtime.close()
  })

  it('a function with more MemorySize holds what a smaller one cannot', async () => {
    const runtime = new FunctionRuntime(
      code(
        `export async function handler() { const b = Buffer.alloc(200 * 1024 * 1024, 1); await new Promise((r) => setTimeout(r, 100)); return b.length }`,
        60_000,
        512,
      ),
      {concurrency: 1, onLog() {}},
    )
    const result = await runtime.invoke('{}', 'a')
    assert.deepEqual(result.ok && result.payload, 200 * 1024 * 1024)
    await runtime.close()
  })

  it('lets a bounded number of invocations wait for a busy environment; beyond, Lambda throttles them (TooManyRequestsException)', async () => {
    const doors = await gate()
    const runtime = new FunctionRuntime(code(GATED, 60_000, 128, {GATE: doors.url}), {
      concurrency: 1,
      maxWaiting: 2,
      onLog() {},
    })
    const running = runtime.invoke('{"n":1}', 'a')
    await doors.arrived(1)
    const waiting = [runtime.invoke('{"n":2}', 'b'), runtime.invoke('{"n":3}', 'c')]
    const refused = await runtime.invoke('{"n":4}', 'd')
    assert.equal(!refused.ok && refused.reason, 'throttled')
    assert.equal(!refused.ok && refused.error.errorType, 'TooManyRequestsException')
    assert.match(
      !refused.ok ? refused.error.errorMessage : '',
      /^Rate Exceeded\. \(dev: all 1 environments are busy and 2 invocations wait for one/,
    )
    doors.release()
    const results = await Promise.all([running, ...waiting])
    assert.deepEqual(
      results.map((result) => result.ok && result.payload),
      [1, 2, 3],
    )
    const after = await runtime.invoke('{"n":5}', 'e')
    assert.deepEqual(after.ok && after.payload, 5)
    await runtime.close()
    await doors.close()
  })

  it('throttles once 16 MB of events wait, whatever the count', async () => {
    const doors = await gate()
    const runtime = new FunctionRuntime(code(GATED, 60_000, 128, {GATE: doors.url}), {concurrency: 1, onLog() {}})
    const running = runtime.invoke('{}', 'a')
    await doors.arrived(1)
    const big = JSON.stringify({pad: 'x'.repeat(1_000_000)})
    const waiting = Array.from({length: 16}, (_, index) => runtime.invoke(big, `w${index}`))
    const refused = await runtime.invoke(big, 'over')
    assert.equal(!refused.ok && refused.error.errorType, 'TooManyRequestsException')
    assert.match(!refused.ok ? refused.error.errorMessage : '', /the 16 MB of events allowed to wait for one are taken/)
    const small = runtime.invoke('{"n":"small"}', 'small') // a small one still fits
    doors.release()
    assert.ok((await Promise.all([running, ...waiting])).every((result) => result.ok))
    assert.deepEqual((await small).ok, true)
    await runtime.close()
    await doors.close()
  })

  it('ReservedConcurrentExecutions: never more in flight; the rest is throttled at once, as Lambda does', async () => {
    const doors = await gate()
    const runtime = new FunctionRuntime(
      {...code(GATED, 60_000, 128, {GATE: doors.url}), reservedConcurrency: 2},
      {concurrency: 4, onLog() {}},
    )
    const running = [runtime.invoke('{"n":1}', 'a'), runtime.invoke('{"n":2}', 'b')]
    await doors.arrived(2)
    const refused = await runtime.invoke('{"n":3}', 'c')
    assert.equal(!refused.ok && refused.error.errorType, 'TooManyRequestsException')
    assert.match(!refused.ok ? refused.error.errorMessage : '', /ReservedFunctionConcurrentInvocationLimitExceeded/)
    assert.equal(runtime.size, 2)
    doors.release()
    assert.deepEqual(
      (await Promise.all(running)).map((result) => result.ok && result.payload),
      [1, 2],
    )
    await runtime.close()

    // Reserved above --concurrency: the difference may wait, as it would have run at once on Lambda.
    const fewer = new FunctionRuntime(
      {...code(GATED, 60_000, 128, {GATE: doors.url}), reservedConcurrency: 3},
      {concurrency: 1, onLog() {}},
    )
    const first = fewer.invoke('{"n":1}', 'a')
    await doors.arrived(3)
    const queued = [fewer.invoke('{"n":2}', 'b'), fewer.invoke('{"n":3}', 'c')]
    const fourth = await fewer.invoke('{"n":4}', 'd')
    assert.equal(!fourth.ok && fourth.reason, 'throttled')
    assert.deepEqual(
      (await Promise.all([first, ...queued])).map((result) => result.ok && result.payload),
      [1, 2, 3],
    )
    await fewer.close()

    const none = new FunctionRuntime(
      {...code(GATED, 60_000, 128, {GATE: doors.url}), reservedConcurrency: 0},
      {concurrency: 4, onLog() {}},
    )
    const refusedAll = await none.invoke('{}', 'z')
    assert.equal(!refusedAll.ok && refusedAll.reason, 'throttled')
    await none.close()
    await doors.close()
  })

  it('drops an invocation still waiting when its caller stops waiting (integration timeout): it never runs', async () => {
    const doors = await gate()
    const runtime = new FunctionRuntime(code(GATED, 60_000, 128, {GATE: doors.url}), {concurrency: 1, onLog() {}})
    const running = runtime.invoke('{"n":1}', 'a')
    await doors.arrived(1)
    const caller = new AbortController()
    const waiting = runtime.invoke('{"n":2}', 'b', {signal: caller.signal})
    caller.abort()
    const dropped = await waiting
    assert.equal(!dropped.ok && dropped.error.errorType, 'Runtime.Abandoned')
    doors.release()
    assert.deepEqual((await running).ok, true)
    const next = await runtime.invoke('{"n":3}', 'c')
    assert.deepEqual(next.ok && next.payload, 3)
    assert.equal(doors.requests, 2, 'the dropped invocation never reached the handler')
    await runtime.close()
    await doors.close()
  })

  it("serves waiting invocations one caller after another: a connection's backlog does not delay another's", async () => {
    const doors = await gate()
    const runtime = new FunctionRuntime(code(GATED, 60_000, 128, {GATE: doors.url}), {concurrency: 1, onLog() {}})
    const flood = ['a1', 'a2', 'a3', 'a4'].map((n) => runtime.invoke(JSON.stringify({n}), n, {caller: 'A'}))
    await doors.arrived(1)
    const other = runtime.invoke('{"n":"b1"}', 'b1', {caller: 'B'})
    doors.release()
    await Promise.all([...flood, other])
    assert.deepEqual(doors.urls, ['/?n=a1', '/?n=a2', '/?n=b1', '/?n=a3', '/?n=a4'])
    await runtime.close()
    await doors.close()
  })

  it('when the waiting room is full, the caller with the most waiting gives way: its newest invocation is throttled', async () => {
    const doors = await gate()
    const runtime = new FunctionRuntime(code(GATED, 60_000, 128, {GATE: doors.url}), {
      concurrency: 1,
      maxWaiting: 3,
      onLog() {},
    })
    const flood = ['a1', 'a2', 'a3', 'a4'].map((n) => runtime.invoke(JSON.stringify({n}), n, {caller: 'A'}))
    await doors.arrived(1)
    const other = runtime.invoke('{"n":"b1"}', 'b1', {caller: 'B'})
    const gaveWay = await flood[3]
    assert.equal(!gaveWay.ok && gaveWay.error.errorType, 'TooManyRequestsException')
    assert.match(
      !gaveWay.ok ? gaveWay.error.errorMessage : '',
      /3 invocations wait for one \(--concurrency, --queue\); it gave way to another caller's/,
    )
    // The flooder itself is refused now: it holds the most.
    const refused = await runtime.invoke('{"n":"a5"}', 'a5', {caller: 'A'})
    assert.equal(!refused.ok && refused.reason, 'throttled')
    doors.release()
    const results = await Promise.all([...flood.slice(0, 3), other])
    assert.deepEqual(
      results.map((result) => result.ok && result.payload),
      ['a1', 'a2', 'a3', 'b1'],
    )
    await runtime.close()
    await doors.close()
  })
})
