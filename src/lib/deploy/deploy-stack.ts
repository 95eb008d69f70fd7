import {randomUUID} from 'node:crypto'

import type {
  CloudFormationApi,
  ParameterInput,
  ResourceChangeInfo,
  StackCapability,
  StackEventInfo,
  StackInfo,
} from '../aws/index.js'
import {WsapiError} from '../errors.js'
import type {Output} from '../output.js'
import {createChangeSet} from './change-set.js'
import {type ActivityListener, StackActivityMonitor} from './stack-activity-monitor.js'
import {StackEventPoller} from './stack-event-poller.js'
import {isBusy, isFailedFirstCreate, isSuccess, isUpdatable} from './stack-status.js'
import {waitForStack, type WaitForStackOptions} from './wait.js'

/** What every stack operation needs: the API, where to report, and how to wait. */
export interface StackContext {
  cloudFormation: CloudFormationApi
  listener: ActivityListener
  output: Output
  /** Poll interval for stack operations. @default 2000 */
  pollIntervalMs?: number
  /** Wait for an operation someone else started (else stop with an error). @default true */
  wait?: boolean
}

export interface ChangeSetPlan {
  changeSetId: string
  changeSetName: string
  changes: ResourceChangeInfo[]
  operation: 'CREATE' | 'UPDATE'
  stackId: string
  stackName: string
}

export type DeployStackResult =
  /** Executed (noOp: false), or nothing to change (noOp: true; the empty change set is deleted). */
  | {
      changes: ResourceChangeInfo[]
      noOp: boolean
      operation: 'CREATE' | 'NONE' | 'UPDATE'
      stack: StackInfo
      type: 'deployed'
    }
  /** `--no-execute`: the change set waits in review. */
  | {plan: ChangeSetPlan; type: 'review'}
  /** The user said no; the change set (and a stack it created) are deleted. */
  | {plan: ChangeSetPlan; type: 'declined'}
  /** The operation failed and CloudFormation rolled back: the root cause is in `rootCause`. */
  | {
      changes: ResourceChangeInfo[]
      operation: 'CREATE' | 'UPDATE'
      rootCause: StackEventInfo[]
      stack: StackInfo
      type: 'failed'
    }

export interface DeployStackOptions {
  /** Runs before the change set when wsapi had to wait for (or clean up) the stack first. */
  afterWait?: () => Promise<void>
  /** What the template needs acknowledged (requiredCapabilities); none by default. */
  capabilities?: StackCapability[]
  /** Asked before executing (interactive runs); false deletes the change set. */
  confirm?: (plan: ChangeSetPlan) => Promise<boolean>
  description?: string
  /** false: create the change set and stop (`--no-execute`). @default true */
  execute?: boolean
  /** Told about the change set once it is ready (to print the summary). */
  onChangeSet?: (plan: ChangeSetPlan) => void
  /** The parameters, given the stack being updated (undefined for a create): values, or UsePreviousValue. */
  parameters: (existing: StackInfo | undefined) => ParameterInput[] | Promise<ParameterInput[]>
  stackName: string
  tags?: Record<string, string>
  template: {body: string} | {url: string}
}

export interface MonitoredOperation {
  /** The stack when it was started, to tell a finished operation from one that has not begun (see waitForStack). */
  before?: StackInfo
  changeSetId?: string
  operation: string
  since?: Date
  stackId: string
  stackName: string
  total: number
}

/** Runs `start` and waits for the operation to end, streaming its events; the final poll runs even on error. */
export async function monitorOperation(
  context: StackContext,
  operation: MonitoredOperation,
  start: () => Promise<void>,
): Promise<{monitor: StackActivityMonitor; stack: StackInfo | undefined}> {
  const {cloudFormation} = context
  const afterEventId = operation.since
    ? undefined
    : await StackEventPoller.newestEventId(cloudFormation, operation.stackId)
  await start()
  const monitor = new StackActivityMonitor({
    afterEventId,
    cloudFormation,
    listener: context.listener,
    operation: operation.operation,
    pollIntervalMs: context.pollIntervalMs,
    since: operation.since,
    stackId: operation.stackId,
    stackName: operation.stackName,
    total: operation.total,
  })
  const waitOptions: WaitForStackOptions = {
    before: operation.before,
    changeSetId: operation.changeSetId,
    pollIntervalMs: context.pollIntervalMs,
  }
  monitor.start()
  try {
    return {monitor, stack: await waitForStack(cloudFormation, operation.stackId, waitOptions)}
  } catch (error) {
    if (WsapiError.is(error)) {
      error.message = `${error.message.replace(/\.$/, '')}. The ${operation.operation.toLowerCase()} of ${operation.stackName} goes on in CloudFormation: follow it with \`wsapi status\`.`
    }

    throw error
  } finally {
    await monitor.stop()
  }
}

/** Deletes a stack (by id) and waits for DELETE_COMPLETE or DELETE_FAILED. */
export async function deleteStackAndWait(
  context: StackContext,
  stack: StackInfo,
  retainResources?: string[],
): Promise<{monitor: StackActivityMonitor; stack: StackInfo | undefined}> {
  const resources =
    stack.status === 'REVIEW_IN_PROGRESS' ? [] : await context.cloudFormation.listStackResources(stack.stackId)
  const total = resources.filter(
    (resource) => resource.status !== 'DELETE_COMPLETE' && !retainResources?.includes(resource.logicalId),
  ).length
  return monitorOperation(
    context,
    {before: stack, operation: 'DELETE', stackId: stack.stackId, stackName: stack.stackName, total},
    () =>
      context.cloudFormation.deleteStack(stack.stackId, {
        clientRequestToken: `wsapi-delete-${randomUUID()}`,
        retainResources,
      }),
  )
}

/** Waits for an operation someone else started; with `wait: false`, stops with an error instead. */
export async function waitForBusyStack(context: StackContext, stack: StackInfo): Promise<StackInfo | undefined> {
  if (context.wait === false) {
    throw new WsapiError(
      `Stack ${stack.stackName} is busy (${stack.status}): wait for that operation to finish (\`wsapi status\`) and re-run, or run without --no-wait to wait for it.`,
      {
        code: 'STACK_BUSY',
      },
    )
  }

  context.output.info(
    `Stack ${stack.stackName} is ${stack.status}: waiting for that operation to finish (--no-wait stops instead)…`,
  )
  const since =
    stack.status === 'DELETE_IN_PROGRESS' ? stack.deletionTime : (stack.lastUpdatedTime ?? stack.creationTime)
  const {stack: settled} = await monitorOperation(
    context,
    {operation: 'WAIT', since, stackId: stack.stackId, stackName: stack.stackName, total: 0},
    async () => {},
  )
  return settled?.status === 'DELETE_COMPLETE' ? undefined : settled
}

function failureSummary(events: StackEventInfo[]): string {
  return events.map((event) => `${event.logicalId}: ${event.reason ?? event.status}`).join('; ')
}

/**
 * Brings a stack into a state a change set can start from: waits for a running operation, and deletes
 * a stack left empty by a failed first create (ROLLBACK_COMPLETE), saying so. Returns the stack to
 * update, the REVIEW_IN_PROGRESS stack to create into, or undefined (nothing there).
 */
export async function prepareStack(
  context: StackContext,
  stackName: string,
  onWait?: () => void,
): Promise<StackInfo | undefined> {
  let stack = await context.cloudFormation.describeStack(stackName)
  if (stack && isBusy(stack.status)) {
    onWait?.()
    stack = await waitForBusyStack(context, stack)
  }

  if (!stack || stack.status === 'DELETE_COMPLETE') return undefined
  if (isFailedFirstCreate(stack.status)) {
    onWait?.()
    context.output.warn(
      `Stack ${stackName} is ${stack.status}: its first create failed, so it holds no resources and cannot be updated. Deleting it, then creating it again.`,
    )
    const deleted = await deleteStackAndWait(context, stack)
    if (deleted.stack && deleted.stack.status !== 'DELETE_COMPLETE') {
      const reasons = failureSummary(deleted.monitor.rootCause())
      throw new WsapiError(
        `Could not delete the failed stack ${stackName} (${deleted.stack.status}${reasons ? `: ${reasons}` : ''}): run \`wsapi destroy\` for what to fix, then deploy again.`,
        {
          code: 'DELETE_FAILED',
        },
      )
    }

    return undefined
  }

  if (stack.status === 'REVIEW_IN_PROGRESS' || isUpdatable(stack.status)) return stack
  if (stack.status === 'UPDATE_ROLLBACK_FAILED') {
    throw new WsapiError(
      `Stack ${stackName} is UPDATE_ROLLBACK_FAILED: a rollback could not finish. Fix or remove the resources it names (\`wsapi status\`), run \`aws cloudformation continue-update-rollback --stack-name ${stackName}\`, then deploy again.`,
      {code: 'STACK_STUCK'},
    )
  }

  if (stack.status === 'DELETE_FAILED') {
    throw new WsapiError(
      `Stack ${stackName} is DELETE_FAILED from an earlier destroy: run \`wsapi destroy\` to finish removing it (it says what blocks the deletion), then deploy again.`,
      {
        code: 'STACK_STUCK',
      },
    )
  }

  throw new WsapiError(
    `Stack ${stackName} is ${stack.status}, from which it cannot be updated: check it in the CloudFormation console, or remove it with \`wsapi destroy\`.`,
    {code: 'STACK_STUCK'},
  )
}

/**
 * Deploys a template to a stack with a change set: CREATE for a new stack, UPDATE otherwise. An empty change
 * set is a success with noOp. Executes (unless told not to, or declined), streams the events, and reports
 * the outcome as a result; AWS errors that stop the flow are thrown as WsapiError.
 */
export async function deployStack(context: StackContext, options: DeployStackOptions): Promise<DeployStackResult> {
  const {cloudFormation} = context
  let waited = false
  const existing = await prepareStack(context, options.stackName, () => (waited = true))
  if (waited) await options.afterWait?.()
  const operation = existing && existing.status !== 'REVIEW_IN_PROGRESS' ? 'UPDATE' : 'CREATE'
  const parameters = await options.parameters(operation === 'UPDATE' ? existing : undefined)

  context.output.info(
    `Creating a change set for ${options.stackName} (${operation === 'CREATE' ? 'new stack' : 'update'})…`,
  )
  const outcome = await createChangeSet(
    cloudFormation,
    {
      capabilities: options.capabilities,
      changeSetType: operation,
      description: 'Created by wsapi deploy',
      parameters,
      stackName: options.stackName,
      tags: options.tags,
      ...('body' in options.template ? {templateBody: options.template.body} : {templateUrl: options.template.url}),
    },
    {pollIntervalMs: context.pollIntervalMs},
  )

  if (outcome.type !== 'ready') {
    await cloudFormation.deleteChangeSet(outcome.changeSetId).catch(() => {})
    if (outcome.type === 'empty' && existing) {
      const stack = (await cloudFormation.describeStack(existing.stackId)) ?? existing
      return {changes: [], noOp: true, operation: 'NONE', stack, type: 'deployed'}
    }

    // A CREATE change set made a REVIEW_IN_PROGRESS stack: remove it so that nothing is left half-done.
    if (!existing)
      await cloudFormation
        .deleteStack(outcome.stackId, {clientRequestToken: `wsapi-delete-${randomUUID()}`})
        .catch(() => {})
    throw new WsapiError(`CloudFormation could not create a change set for ${options.stackName}: ${outcome.reason}`, {
      code: 'CHANGE_SET_FAILED',
    })
  }

  const {changeSet} = outcome
  const plan: ChangeSetPlan = {
    changes: changeSet.changes,
    changeSetId: changeSet.changeSetId,
    changeSetName: changeSet.changeSetName,
    operation,
    stackId: changeSet.stackId,
    stackName: options.stackName,
  }
  options.onChangeSet?.(plan)
  if (options.execute === false) return {plan, type: 'review'}
  if (options.confirm) {
    // Declined, or the prompt was interrupted: remove what this run created, then report.
    const discard = async () => {
      await cloudFormation.deleteChangeSet(plan.changeSetId)
      if (!existing)
        await cloudFormation.deleteStack(plan.stackId, {clientRequestToken: `wsapi-delete-${randomUUID()}`})
    }

    let approved: boolean
    try {
      approved = await options.confirm(plan)
    } catch (error) {
      await discard().catch(() => {})
      throw error
    }

    if (!approved) {
      await discard()
      return {plan, type: 'declined'}
    }
  }

  const before = await cloudFormation.describeStack(plan.stackId)
  const {monitor, stack} = await monitorOperation(
    context,
    {
      before,
      changeSetId: plan.changeSetId,
      operation,
      stackId: plan.stackId,
      stackName: options.stackName,
      total: plan.changes.length,
    },
    () => cloudFormation.executeChangeSet(plan.changeSetId, `wsapi-exec-${randomUUID()}`),
  )
  if (!stack)
    throw new WsapiError(
      `Stack ${options.stackName} disappeared during the ${operation.toLowerCase()}: check the CloudFormation console, then deploy again.`,
      {code: 'STACK_GONE'},
    )
  if (isSuccess(stack.status)) return {changes: plan.changes, noOp: false, operation, stack, type: 'deployed'}
  return {changes: plan.changes, operation, rootCause: monitor.rootCause(), stack, type: 'failed'}
}
