import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {type FunctionCode, FunctionRuntime} from '../../../src/lib/dev/invoker.js'
import {tempDir} from '../../helpers/tmp.js'

function code(source: string, timeoutMs = 2000): FunctionCode {
  const file = join(tempDir(), 'index.mjs')
  writeFileSync(file, source)
  return {
    env: {GREETING: 'hi'},
    setup: {functionArn: 'arn', functionName: 'fn', handlerName: 'handler', logGroupName: 'g', logStreamName: 's', memorySize: 128, moduleUrl: pathToFileURL(file).href},
    timeoutMs,
  }
}

describe('dev invoker: worker-thread execution environments', function () {
  this.timeout(20_000)

  it('runs one invocation per environment at a time, up to the concurrency, with its own environment variables', async () => {
    const runtime = new FunctionRuntime(code(`let running = 0
export async function handler(event) { running++; const seen = running; await new Promise((r) => setTimeout(r, 100)); running--; return {seen, env: process.env.GREETING, n: event.n} }`), {concurrency: 2, onLog() {}})
    const results = await Promise.all([1, 2, 3, 4].map((n) => runtime.invoke(JSON.stringify({n}), `r${n}`)))
    assert.ok(results.every((result) => result.ok))
    assert.deepEqual(results.map((result) => result.ok && (result.payload as {seen: number}).seen), [1, 1, 1, 1], 'never two at once in one environment')
    assert.equal((results[0].ok && (results[0].payload as {env: string}).env), 'hi')
    assert.equal(runtime.size, 2)
    await runtime.close()
  })

  it('times out, tells throws from crashes, and keeps serving after each', async () => {
    const logs: string[] = []
    const runtime = new FunctionRuntime(code(`export async function handler(event) {
  console.log('doing', event.do)
  if (event.do === 'hang') for (;;) {}
  if (event.do === 'throw') throw new TypeError('bad input')
  if (event.do === 'exit') process.exit(7)
  return 'fine'
}`, 300), {concurrency: 1, onLog: (line, requestId) => logs.push(`${requestId} ${line.level} ${line.text}`)})
    const hang = await runtime.invoke('{"do":"hang"}', 'a')
    assert.equal(!hang.ok && hang.reason, 'timeout')
    assert.equal(!hang.ok && hang.error.errorMessage, 'Task timed out after 0.3 seconds')
    const thrown = await runtime.invoke('{"do":"throw"}', 'b')
    assert.equal(!thrown.ok && thrown.error.errorType, 'TypeError')
    const exited = await runtime.invoke('{"do":"exit"}', 'c')
    assert.equal(!exited.ok && exited.error.errorMessage, 'Runtime exited with error: exit status 7')
    const fine = await runtime.invoke('{}', 'd')
    assert.deepEqual(fine.ok && fine.payload, 'fine')
    assert.ok(logs.includes('b INFO doing throw'))
    await runtime.close()
  })

  it("counts the Timeout from the end of Init, as Lambda does: a slow cold start is not a timeout", async () => {
    // The module takes longer to load than the function's Timeout; Lambda gives Init its own 10 s.
    const runtime = new FunctionRuntime(code(`await new Promise((r) => setTimeout(r, 1000))
export async function handler() { return 'loaded' }`, 300), {concurrency: 1, onLog() {}})
    const result = await runtime.invoke('{}', 'a')
    assert.deepEqual(result.ok ? result.payload : result.error, 'loaded')
    await runtime.close()
  })

  it('swaps code: running invocations finish on the old code, new ones get the new code', async () => {
    const runtime = new FunctionRuntime(code(`export async function handler() { await new Promise((r) => setTimeout(r, 200)); return 'old' }`), {concurrency: 2, onLog() {}})
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
})
