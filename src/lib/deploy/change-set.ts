import {randomUUID} from 'node:crypto'

import {type ChangeSetInfo, type CloudFormationApi, type CreateChangeSetInput, isNoChangesReason} from '../aws/index.js'
import {type PollOptions, pollUntil} from './wait.js'

export type ChangeSetOutcome =
  | {changeSet: ChangeSetInfo; type: 'ready'}
  | {changeSetId: string; reason: string; stackId: string; type: 'empty'}
  | {changeSetId: string; reason: string; stackId: string; type: 'failed'}

/** `wsapi-2025-11-26T18-15-00-123Z`: sortable, and valid as a change set name ([A-Za-z][-A-Za-z0-9]*). */
export function newChangeSetName(now = new Date()): string {
  return `wsapi-${now.toISOString().replaceAll(/[:.]/g, '-')}`
}

/**
 * Creates a change set and waits until CloudFormation has worked it out. An empty one ("didn't contain
 * changes" / "No updates are to be performed") is its own outcome, not a failure.
 */
export async function createChangeSet(
  cloudFormation: CloudFormationApi,
  input: Omit<CreateChangeSetInput, 'changeSetName' | 'clientToken'> & {changeSetName?: string},
  options: PollOptions = {},
): Promise<ChangeSetOutcome> {
  const changeSetName = input.changeSetName ?? newChangeSetName()
  const {changeSetId, stackId} = await cloudFormation.createChangeSet({
    ...input,
    changeSetName,
    clientToken: `wsapi-${randomUUID()}`,
  })
  const changeSet = await pollUntil(
    () => cloudFormation.describeChangeSet(changeSetId),
    (described) => described.status !== 'CREATE_PENDING' && described.status !== 'CREATE_IN_PROGRESS',
    // Change sets take seconds, not minutes: look more often than for stack operations.
    {...options, pollIntervalMs: Math.min(options.pollIntervalMs ?? 1000, 1000)},
  )
  if (changeSet.status === 'FAILED') {
    const reason = changeSet.statusReason ?? 'no reason given'
    return {
      changeSetId,
      reason,
      stackId: changeSet.stackId || stackId,
      type: isNoChangesReason(reason) ? 'empty' : 'failed',
    }
  }

  return {changeSet: {...changeSet, stackId: changeSet.stackId || stackId}, type: 'ready'}
}
