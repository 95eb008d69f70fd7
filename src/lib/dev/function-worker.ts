// One Lambda execution environment: a worker thread that loads one bundled handler and runs one
// invocation at a time, as Lambda does. Imports only Node built-ins so that it starts fast.
import {format} from 'node:util'
import {parentPort, workerData} from 'node:worker_threads'

export interface WorkerSetup {
  functionArn: string
  functionName: string
  handlerName: string
  logGroupName: string
  logStreamName: string
  memorySize: number
  /** file:// URL of the bundled index.mjs. */
  moduleUrl: string
}

export type ToWorker = {deadline: number; event: string; id: number; requestId: string; type: 'invoke'}

export interface WorkerError {
  errorMessage: string
  errorType: string
  /** Set when the module failed to load (Lambda's init phase), not during an invocation. */
  init?: boolean
  stack?: string
}

/** What the environment held when it went over its MemorySize, in bytes. */
export interface MemoryUse {
  /** Buffers, ArrayBuffers and other memory V8 does not manage (external to the JS heap). */
  external: number
  heap: number
}

export type FromWorker =
  | {error: WorkerError; type: 'init-error'}
  | {type: 'out-of-memory'; use: MemoryUse}
  | {type: 'ready'}
  | {id: number; payload: string; type: 'result'}
  | {error: WorkerError; id: number; type: 'error'}
  | {level: string; text: string; type: 'log'}

type Handler = (event: unknown, context: unknown, callback?: (error?: unknown, result?: unknown) => void) => unknown

const setup = workerData as WorkerSetup
const port = parentPort!

/** This file's frames, under its URL or (source-mapped) its .ts path: wsapi's, not the handler's. */
const OWN_FRAME = /[/\\]lib[/\\]dev[/\\]function-worker\.[jt]s:/

/** The stack without wsapi's frames and Node's internals: what is left is the handler's. */
function handlerStack(stack: string | undefined): string | undefined {
  return stack
    ?.split('\n')
    .filter(
      (line) =>
        !line.includes(import.meta.url) &&
        !OWN_FRAME.test(line) &&
        !line.includes('(node:internal/') &&
        !/^\s+at node:internal\//.test(line) &&
        !line.includes('new Promise (<anonymous>)'),
    )
    .join('\n')
}

function toWorkerError(error: unknown, fallbackType = 'Error'): WorkerError {
  if (error instanceof Error)
    return {errorMessage: error.message, errorType: error.name || fallbackType, stack: handlerStack(error.stack)}
  return {errorMessage: typeof error === 'string' ? error : format('%o', error), errorType: fallbackType}
}

// Console lines go to the dev server tagged like CloudWatch's: time, request id, level.
for (const [method, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
] as const) {
  console[method] = (...args: unknown[]) => {
    port.postMessage({level, text: format(...args), type: 'log'} satisfies FromWorker)
  }
}

process.setSourceMapsEnabled(true)

// MemorySize bounds all of an environment's memory, as in Lambda, not only the JS heap (resourceLimits): Buffers and
// ArrayBuffers live outside it. In a worker, process.memoryUsage() reports the heap and external memory of this
// thread's isolate alone (its rss is the whole process's, so it is not used).
const MEMORY_LIMIT_BYTES = setup.memorySize * 1024 * 1024
/** Smaller allocations are summed and checked together, so that a loop of small ones costs no system call each. */
const CHECK_EVERY_BYTES = 4 * 1024 * 1024
const MEMORY_CHECK_INTERVAL_MS = 25
const stopThread = process.exit.bind(process)
let uncheckedBytes = 0

/** Ends the environment, as Lambda ends a sandbox over its memory, if it holds (or would hold) more than MemorySize. */
function enforceMemorySize(allocating = 0): void {
  uncheckedBytes = 0
  const {external, heapTotal} = process.memoryUsage()
  if (heapTotal + external + allocating <= MEMORY_LIMIT_BYTES) return
  port.postMessage({
    type: 'out-of-memory',
    use: {external: external + allocating, heap: heapTotal},
  } satisfies FromWorker)
  // Messages posted before the thread stops reach the invoker before its 'exit' event.
  stopThread(1)
}

setInterval(() => enforceMemorySize(), MEMORY_CHECK_INTERVAL_MS).unref()

// A synchronous loop never lets the timer run: Buffer allocations are checked before they happen, so one
// Buffer.alloc(1 GB) in a 128 MB function ends the environment without the process ever holding the gigabyte.
for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
  const allocate = Buffer[name] as (size: number, ...rest: unknown[]) => Buffer
  Object.defineProperty(Buffer, name, {
    configurable: true,
    value: function (size: number, ...rest: unknown[]) {
      if (typeof size === 'number' && size > 0) {
        uncheckedBytes += size
        if (uncheckedBytes >= CHECK_EVERY_BYTES) enforceMemorySize(size)
      }

      return allocate.call(Buffer, size, ...rest)
    },
    writable: true,
  })
}

function invoke(handler: Handler, message: ToWorker): Promise<unknown> {
  const context = {
    awsRequestId: message.requestId,
    callbackWaitsForEmptyEventLoop: true,
    functionName: setup.functionName,
    functionVersion: '$LATEST',
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    invokedFunctionArn: setup.functionArn,
    logGroupName: setup.logGroupName,
    logStreamName: setup.logStreamName,
    memoryLimitInMB: String(setup.memorySize),
  }
  return new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown) =>
      error === undefined || error === null ? resolve(result) : reject(error)
    const returned = handler(JSON.parse(message.event), context, callback)
    // Async handlers answer with their promise; callback handlers (three parameters) call back.
    if (returned !== null && typeof returned === 'object' && typeof (returned as Promise<unknown>).then === 'function')
      (returned as Promise<unknown>).then(resolve, reject)
    else if (handler.length < 3) resolve(returned)
  })
}

async function main(): Promise<void> {
  let handler: Handler
  try {
    const module = (await import(setup.moduleUrl)) as Record<string, unknown>
    const candidate =
      module[setup.handlerName] ?? (module.default as Record<string, unknown> | undefined)?.[setup.handlerName]
    if (typeof candidate !== 'function') {
      throw Object.assign(new Error(`index.${setup.handlerName} is undefined or not exported`), {
        name: 'Runtime.HandlerNotFound',
      })
    }

    handler = candidate as Handler
  } catch (error) {
    port.postMessage({
      error: {...toWorkerError(error, 'Runtime.ImportModuleError'), init: true},
      type: 'init-error',
    } satisfies FromWorker)
    return
  }

  port.on('message', (message: ToWorker) => {
    invoke(handler, message).then(
      (result) => {
        // What the invocation left allocated (a typed array made in one go, say) counts before it answers.
        enforceMemorySize()
        let payload: string
        try {
          // Lambda returns the JSON of what the handler gave; undefined becomes null.
          payload = JSON.stringify(result) ?? 'null'
        } catch (error) {
          port.postMessage({
            error: toWorkerError(error, 'Runtime.MarshalError'),
            id: message.id,
            type: 'error',
          } satisfies FromWorker)
          return
        }

        port.postMessage({id: message.id, payload, type: 'result'} satisfies FromWorker)
      },
      (error: unknown) => {
        enforceMemorySize()
        port.postMessage({error: toWorkerError(error), id: message.id, type: 'error'} satisfies FromWorker)
      },
    )
  })
  port.postMessage({type: 'ready'} satisfies FromWorker)
}

await main()
