import {setTimeout as sleep} from 'node:timers/promises'

import {AwsCallError, type CloudFormationApi, type StackInfo} from '../aws/index.js'
import {isInProgress} from './stack-status.js'

export interface PollOptions {
  /** Consecutive throttled polls tolerated (on top of the SDK's own retries) before giving up. @default 6 */
  maxThrottled?: number
  /** @default 2000 */
  pollIntervalMs?: number
}

/**
 * Reads until `isDone`, every `pollIntervalMs`. A throttled read doubles the interval (up to 16×)
 * and tries again; any other error ends the wait.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  isDone: (value: T) => boolean,
  options: PollOptions = {},
): Promise<T> {
  const interval = options.pollIntervalMs ?? 2000
  let delay = interval
  let throttled = 0
  for (;;) {
    try {
      // eslint-disable-next-line no-await-in-loop
      const value = await read()
      throttled = 0
      delay = interval
      if (isDone(value)) return value
    } catch (error) {
      const isThrottled = AwsCallError.isAwsCallError(error) && error.kind === 'throttled'
      if (!isThrottled || ++throttled > (options.maxThrottled ?? 6)) throw error
      delay = Math.min(delay * 2, interval * 16)
    }

    // eslint-disable-next-line no-await-in-loop
    await sleep(delay)
  }
}

export interface WaitForStackOptions extends PollOptions {
  /**
   * The stack as it was before the operation started: a settled status counts only once the stack moved on
   * from it, since DescribeStacks may still show the old status right after ExecuteChangeSet or DeleteStack.
   */
  before?: StackInfo
  /** The change set being executed: the stack reports it once the execution has begun. */
  changeSetId?: string
}

/** Waits until the stack's operation has ended (no *_IN_PROGRESS); undefined if the stack is gone. */
export async function waitForStack(
  cloudFormation: CloudFormationApi,
  stackId: string,
  options: WaitForStackOptions = {},
): Promise<StackInfo | undefined> {
  const {before} = options
  let movedOn = before === undefined
  return pollUntil(
    () => cloudFormation.describeStack(stackId),
    (stack) => {
      if (!stack) return true
      if (isInProgress(stack.status)) {
        movedOn = true
        return false
      }

      movedOn ||=
        stack.status !== before!.status ||
        stack.lastUpdatedTime?.getTime() !== before!.lastUpdatedTime?.getTime() ||
        stack.deletionTime?.getTime() !== before!.deletionTime?.getTime() ||
        (options.changeSetId !== undefined &&
          stack.changeSetId === options.changeSetId &&
          before!.changeSetId !== options.changeSetId)
      return movedOn
    },
    options,
  )
}
