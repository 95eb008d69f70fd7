import type {StackEventInfo} from '../aws/index.js'

/** What CloudFormation stack and resource statuses mean for wsapi. One place, so the flows agree. */

export function isInProgress(status: string): boolean {
  return status.endsWith('_IN_PROGRESS')
}

/** An operation is running that wsapi has to wait for (a change set in review is not one). */
export function isBusy(status: string): boolean {
  return isInProgress(status) && status !== 'REVIEW_IN_PROGRESS'
}

/** Left by a first create that failed: the stack holds nothing and can only be deleted. */
export function isFailedFirstCreate(status: string): boolean {
  return status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'CREATE_FAILED'
}

/** The stack exists with its resources and takes updates. */
export function isUpdatable(status: string): boolean {
  return [
    'CREATE_COMPLETE',
    'UPDATE_COMPLETE',
    'UPDATE_ROLLBACK_COMPLETE',
    'IMPORT_COMPLETE',
    'IMPORT_ROLLBACK_COMPLETE',
    'UPDATE_FAILED',
  ].includes(status)
}

/** The operation wsapi started ended as asked. */
export function isSuccess(status: string): boolean {
  return (
    status === 'CREATE_COMPLETE' ||
    status === 'UPDATE_COMPLETE' ||
    status === 'DELETE_COMPLETE' ||
    status === 'IMPORT_COMPLETE'
  )
}

/** A resource (or the stack) is done with this step: complete, failed or skipped. */
export function isSettled(status: string): boolean {
  return status.endsWith('_COMPLETE') || status.endsWith('_FAILED') || status.endsWith('_SKIPPED')
}

export type StatusTone = 'failure' | 'neutral' | 'progress' | 'rollback' | 'success'

/** How a status should look: green done, yellow working, red failed, magenta rolling back. */
export function statusTone(status: string): StatusTone {
  if (status.endsWith('_FAILED')) return 'failure'
  if (status.includes('ROLLBACK')) return 'rollback'
  if (isInProgress(status)) return 'progress'
  if (status.endsWith('_COMPLETE')) return 'success'
  return 'neutral'
}

const CANCELLED = /^Resource (creation|update|deletion) cancelled/i

/** A FAILED resource event that explains something (not the "cancelled" echo of another failure). */
export function isRootCauseCandidate(event: {reason?: string; resourceType: string; status: string}): boolean {
  return (
    event.status.endsWith('_FAILED') &&
    event.resourceType !== 'AWS::CloudFormation::Stack' &&
    !CANCELLED.test(event.reason ?? '')
  )
}

/** A resource that failed, and CloudFormation's reason for it. */
export interface FailureReason {
  logicalId: string
  reason: string
  resourceType: string
  status: string
}

/** The failed resources of stack events, as a deploy or status reports them. */
export function toFailureReasons(events: StackEventInfo[]): FailureReason[] {
  return events.map((event) => ({
    logicalId: event.logicalId,
    reason: event.reason ?? '',
    resourceType: event.resourceType,
    status: event.status,
  }))
}
