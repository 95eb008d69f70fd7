import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {
  type Environment,
  type FunctionCode,
  type LogLine,
  type Outcome,
  startEnvironment,
} from '../../../src/lib/dev/execution-environment.js'
import type {WorkerError} from '../../../src/lib/dev/function-worker.js'
import {tempDir} from '../../helpers/tmp.js'

function code(source: string, env: Record<string, string> = {}): FunctionCode {
  const file = join(tempDir(), 'index.mjs')
  writeFileSync(file, source)
  return {
    env,
    setup: {
      functionArn: 'arn',
      functionName: 'fn',
      handlerName: 'handler',
      logGroupName: 'g',
      logStreamName: 's',
      memorySize: 128,
      moduleUrl: pathToFileURL(file).href,
    },
    timeoutMs: 60_000,
  }
}

/** One environment on `source`, what it reports recorded, each report awaitable. */
function started(source: string, env: Record<string, string> = {}) {
  const logs: LogLine[] = []
  const outcomes: Array<{outcome: Outcome; reuse?: boolean}> = []
  let exit: ((error: WorkerError) => void) | undefined
  const exited = new Promise<WorkerError>((resolve) => (exit = resolve))
  const waiters: Array<() => void> = []
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter()
  }

  const environment: Environment<string> = startEnvironment(code(source, env), {
    onExit: (error) => exit!(error),
    onLog(line) {
      logs.push(line)
      wake()
    },
    onOutcome(outcome, reuse) {
      outcomes.push({outcome, reuse})
      wake()
    },
  })
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise<void>((resolve) => waiters.push(resolve))
  }

  return {
    environment,
    exited,
    /** Marks the environment busy with invocation `id` (as the runner does) and sends it the event. */
    invoke(id: number, event: unknown) {
      environment.busy = {id, pending: `request ${id}`, started: 0, timer: setTimeout(() => {}, 0)}
      environment.worker.postMessage({
        deadline: Date.now() + 60_000,
        event: JSON.stringify(event),
        id,
        requestId: `r${id}`,
        type: 'invoke',
      })
    },
    logs,
    outcomes,
    until,
  }
}

describe('dev: an execution environment, as the dev server sees it', function () {
  this.timeout(30_000)

  it('gets ready, and reports the result of the invocation it runs, with its environment variables', async () => {
    const env = started('export const handler = async (event) => ({n: event.n, greeting: process.env.GREETING})\n', {
      GREETING: 'hi',
    })
    try {
      assert.equal(await env.environment.ready, true)
      env.invoke(1, {n: 7})
      await env.until(() => env.outcomes.length > 0)
      assert.deepEqual(env.outcomes, [{outcome: {ok: true, payload: {greeting: 'hi', n: 7}}, reuse: undefined}])
    } finally {
      await env.environment.worker.terminate()
    }
  })

  it('ignores an answer to an invocation it no longer runs (one that timed out, say)', async () => {
    const env = started('export const handler = async (event) => event.n\n')
    try {
      await env.environment.ready
      env.invoke(1, {n: 1})
      env.environment.busy = {id: 2, pending: 'request 2', started: 0, timer: setTimeout(() => {}, 0)}
      env.invoke(2, {n: 2})
      await env.until(() => env.outcomes.length > 0)
      assert.deepEqual(env.outcomes, [{outcome: {ok: true, payload: 2}, reuse: undefined}])
    } finally {
      await env.environment.worker.terminate()
    }
  })

  it("passes the handler's stdout and stderr line by line, as INFO and ERROR", async () => {
    const env = started(
      "export const handler = async () => { process.stdout.write('one\\ntw'); process.stdout.write('o\\n'); process.stderr.write('bad\\n'); return 1 }\n",
    )
    try {
      await env.environment.ready
      env.invoke(1, {})
      await env.until(() => env.logs.length >= 3)
      assert.deepEqual(
        env.logs.filter((line) => line.level === 'INFO'),
        [
          {level: 'INFO', text: 'one'},
          {level: 'INFO', text: 'two'},
        ],
      )
      assert.deepEqual(
        env.logs.filter((line) => line.level === 'ERROR'),
        [{level: 'ERROR', text: 'bad'}],
      )
    } finally {
      await env.environment.worker.terminate()
    }
  })

  it('a handler that cannot load: not ready, the init error as an outcome that ends it, and as the reason it ended', async () => {
    const env = started("throw new Error('cannot start')\n")
    assert.equal(await env.environment.ready, false)
    const error = await env.exited
    assert.equal(error.errorMessage, 'cannot start')
    assert.equal(error.init, true)
    assert.equal(env.environment.initError, error)
    assert.equal(env.outcomes.length, 1)
    assert.equal(env.outcomes[0].reuse, false)
    assert.deepEqual(env.outcomes[0].outcome, {error, ok: false, reason: 'crash'})
  })

  it('a handler that exits the process ends the environment with its exit status', async () => {
    const env = started('export const handler = async () => process.exit(7)\n')
    await env.environment.ready
    env.invoke(1, {})
    assert.deepEqual(await env.exited, {
      errorMessage: 'Runtime exited with error: exit status 7',
      errorType: 'Runtime.ExitError',
    })
  })

  it('an uncaught exception is a crash of the invocation (Runtime.UnhandledError)', async () => {
    const env = started(
      "export const handler = async () => { setImmediate(() => { throw new Error('later') }); return new Promise(() => {}) }\n",
    )
    try {
      await env.environment.ready
      env.invoke(1, {})
      await env.until(() => env.outcomes.length > 0)
      const [{outcome}] = env.outcomes
      assert.ok(!outcome.ok)
      assert.equal(outcome.reason, 'crash')
      assert.equal(outcome.error.errorType, 'Runtime.UnhandledError')
      assert.equal(outcome.error.errorMessage, 'later')
    } finally {
      await env.environment.worker.terminate()
    }
  })

  it('over its MemorySize between invocations: a log line saying what it held, then it ends with Runtime.OutOfMemory', async () => {
    // Allocated while loading, so that no invocation is running when the check finds it.
    const env = started('globalThis.held = Buffer.alloc(256 * 1024 * 1024)\nexport const handler = async () => 1\n')
    const error = await env.exited
    assert.equal(error.errorType, 'Runtime.OutOfMemory')
    assert.match(error.errorMessage, /^Runtime exited with error: signal: killed \(\d+ MB in use, MemorySize 128 MB: /)
    assert.deepEqual(env.logs, [{level: 'ERROR', text: `${error.errorType}: ${error.errorMessage}`}])
    assert.equal(env.outcomes.length, 0)
  })
})
