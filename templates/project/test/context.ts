// The context Lambda passes to a handler, with as much time left as a test wants.
import type {LambdaContext} from '../src/runtime/index.js'

export const FANOUT_FUNCTION = 'chat-v1-FanoutFunction-AbCdEf012345'

/** `remainingMs()` is asked each time the handler wants to know; by default, 29 s that never run out. */
export function lambdaContext(remainingMs: () => number = () => 29_000, functionName = FANOUT_FUNCTION): LambdaContext {
  return {awsRequestId: 'c0ffee00-0000-4000-8000-000000000001', functionName, getRemainingTimeInMillis: remainingMs}
}
