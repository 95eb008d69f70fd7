import assert from 'node:assert/strict'

import {
  toFailureReasons,
  isBusy,
  isFailedFirstCreate,
  isInProgress,
  isRootCauseCandidate,
  isSettled,
  isSuccess,
  isUpdatable,
  statusTone,
} from '../../../src/lib/deploy/stack-status.js'

describe('deploy: what stack statuses mean', () => {
  it('in progress vs busy: a change set in review is not an operation to wait for', () => {
    assert.ok(
      isInProgress('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS') &&
        isBusy('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'),
    )
    assert.ok(isInProgress('REVIEW_IN_PROGRESS') && !isBusy('REVIEW_IN_PROGRESS'))
    assert.ok(!isInProgress('CREATE_COMPLETE') && !isBusy('CREATE_COMPLETE'))
  })

  it('a failed first create can only be deleted; the states that take updates do not include it', () => {
    for (const status of ['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED'])
      assert.ok(isFailedFirstCreate(status) && !isUpdatable(status), status)
    for (const status of [
      'CREATE_COMPLETE',
      'UPDATE_COMPLETE',
      'UPDATE_ROLLBACK_COMPLETE',
      'IMPORT_COMPLETE',
      'IMPORT_ROLLBACK_COMPLETE',
      'UPDATE_FAILED',
    ]) {
      assert.ok(isUpdatable(status) && !isFailedFirstCreate(status), status)
    }
    assert.ok(
      !isUpdatable('UPDATE_IN_PROGRESS') && !isUpdatable('DELETE_COMPLETE') && !isUpdatable('UPDATE_ROLLBACK_FAILED'),
    )
  })

  it('success is the operation ending as asked; a rollback that completes is not one', () => {
    assert.deepEqual(
      [
        'CREATE_COMPLETE',
        'UPDATE_COMPLETE',
        'DELETE_COMPLETE',
        'IMPORT_COMPLETE',
        'UPDATE_ROLLBACK_COMPLETE',
        'ROLLBACK_COMPLETE',
        'DELETE_FAILED',
      ].map((status) => isSuccess(status)),
      [true, true, true, true, false, false, false],
    )
  })

  it('settled: complete, failed or skipped', () => {
    assert.deepEqual(
      ['CREATE_COMPLETE', 'DELETE_FAILED', 'DELETE_SKIPPED', 'CREATE_IN_PROGRESS', 'REVIEW_IN_PROGRESS'].map((status) =>
        isSettled(status),
      ),
      [true, true, true, false, false],
    )
  })

  it('tones: failed before rollback before progress before success', () => {
    assert.deepEqual(
      [
        'UPDATE_ROLLBACK_FAILED',
        'UPDATE_ROLLBACK_IN_PROGRESS',
        'ROLLBACK_COMPLETE',
        'CREATE_IN_PROGRESS',
        'UPDATE_COMPLETE',
        'DELETE_SKIPPED',
      ].map((status) => statusTone(status)),
      ['failure', 'rollback', 'rollback', 'progress', 'success', 'neutral'],
    )
  })

  it('a root cause is a failed resource, not the stack, and not a "cancelled" echo of another failure', () => {
    const failed = {
      reason: 'Resource handler returned message: "Invalid request"',
      resourceType: 'AWS::Lambda::Function',
      status: 'CREATE_FAILED',
    }
    assert.ok(isRootCauseCandidate(failed))
    assert.ok(
      isRootCauseCandidate({resourceType: 'AWS::Lambda::Function', status: 'UPDATE_FAILED'}),
      'without a reason',
    )
    assert.ok(!isRootCauseCandidate({...failed, resourceType: 'AWS::CloudFormation::Stack'}))
    assert.ok(!isRootCauseCandidate({...failed, reason: 'Resource creation cancelled'}))
    assert.ok(!isRootCauseCandidate({...failed, reason: 'resource update cancelled'}))
    assert.ok(!isRootCauseCandidate({...failed, status: 'CREATE_COMPLETE'}))
  })

  it('failure reasons: the resource, its type and status, and the reason (empty when CloudFormation gave none)', () => {
    const event = {
      eventId: 'e1',
      logicalId: 'Table',
      resourceType: 'AWS::DynamoDB::Table',
      stackId: 'arn:stack',
      status: 'CREATE_FAILED',
      timestamp: new Date(0),
    }
    assert.deepEqual(toFailureReasons([{...event, reason: 'Limit exceeded'}, event]), [
      {logicalId: 'Table', reason: 'Limit exceeded', resourceType: 'AWS::DynamoDB::Table', status: 'CREATE_FAILED'},
      {logicalId: 'Table', reason: '', resourceType: 'AWS::DynamoDB::Table', status: 'CREATE_FAILED'},
    ])
  })
})
