import assert from 'node:assert/strict'

import type {StackInfo} from '../../../src/lib/aws/index.js'
import {
  checkStackOwnership,
  notDeployedError,
  orderOutputs,
  otherDeployedRegion,
  ownershipTags,
  resolveStackTarget,
} from '../../../src/lib/deploy/target.js'
import {UsageError, WsapiError} from '../../../src/lib/errors.js'
import {writeOutputsState} from '../../../src/lib/project/state.js'
import {scaffoldProject} from '../../helpers/project.js'

function stack(tags: Record<string, string>, status = 'UPDATE_COMPLETE'): StackInfo {
  return {outputs: [], parameters: [], stackId: 'arn:stack', stackName: 'chat-v1', status, tags}
}

describe('deploy: the stack a command works on', () => {
  let dir: string

  before(() => {
    dir = scaffoldProject()
  })

  it("<project>-<stage>: the stage from --stage, else the template's StageName default", () => {
    const byDefault = resolveStackTarget(dir)
    assert.deepEqual([byDefault.stackName, byDefault.stage, byDefault.project.name], ['chat-v1', 'v1', 'chat'])
    assert.deepEqual(
      [resolveStackTarget(dir, 'prod').stackName, resolveStackTarget(dir, 'prod').stage],
      ['chat-prod', 'prod'],
    )
  })

  it('a stage that would make a bad stack name is a usage error', () => {
    for (const stage of ['bad stage!', 'x'.repeat(200)])
      assert.throws(() => resolveStackTarget(dir, stage), UsageError, stage)
  })

  it("outputs: WebSocketUrl first, then in the template's order, then the others by name", () => {
    const outputs = [
      {key: 'Zeta', value: 'z'},
      {key: 'ManagementEndpoint', value: 'm'},
      {key: 'Alpha', value: 'a'},
      {key: 'ApiId', value: 'i'},
      {key: 'WebSocketUrl', value: 'w'},
    ]
    assert.deepEqual(Object.keys(orderOutputs(outputs, ['ApiId', 'ManagementEndpoint'])), [
      'WebSocketUrl',
      'ApiId',
      'ManagementEndpoint',
      'Alpha',
      'Zeta',
    ])
    assert.deepEqual(orderOutputs(outputs).WebSocketUrl, 'w')
  })

  it('ownership: the tags wsapi puts on the stack, and a stack without them is refused unless adopted', () => {
    const target = resolveStackTarget(dir)
    assert.deepEqual(ownershipTags(target), {'wsapi:project': 'chat', 'wsapi:stage': 'v1'})
    assert.doesNotThrow(() =>
      checkStackOwnership(stack({'wsapi:project': 'chat', 'wsapi:stage': 'v1', other: 'x'}), target, 'deploy'),
    )
    assert.doesNotThrow(
      () => checkStackOwnership(stack({}, 'REVIEW_IN_PROGRESS'), target, 'deploy'),
      'an empty stack in review holds nothing',
    )
    assert.doesNotThrow(() => checkStackOwnership(stack({}), target, 'destroy', true), '--adopt')
    assert.throws(
      () => checkStackOwnership(stack({}), target, 'deploy'),
      (error: unknown) =>
        error instanceof WsapiError &&
        error.code === 'FOREIGN_STACK' &&
        error.message ===
          "Stack chat-v1 was not deployed by wsapi for project chat, stage v1 (it has no wsapi:project / wsapi:stage tags): nothing was changed. Deploy to another stage (--stage), or pass --adopt if it is this project's stack and template.yaml may replace what it holds.",
    )
    assert.throws(
      () => checkStackOwnership(stack({'wsapi:project': 'other'}), target, 'destroy'),
      /\(it is tagged wsapi:project="other" wsapi:stage=""\): nothing was deleted\. Pass another --stage, or --adopt/,
    )
  })

  it('not deployed here: the region this project deployed the stage to is the fix, else the message given', () => {
    const project = scaffoldProject()
    const target = resolveStackTarget(project)
    assert.equal(otherDeployedRegion(target, 'eu-west-1'), undefined)
    assert.equal(
      notDeployedError(target, 'eu-west-1', 'Nothing deployed: run wsapi deploy.').message,
      'Nothing deployed: run wsapi deploy.',
    )
    writeOutputsState(project, {
      deployedAt: '2026-12-04T10:00:00Z',
      outputs: {},
      region: 'us-east-2',
      stackName: 'chat-v1',
      stage: 'v1',
    })
    assert.equal(otherDeployedRegion(target, 'us-east-2'), undefined)
    const error = notDeployedError(target, 'eu-west-1', 'unused')
    assert.deepEqual(
      [error.code, error.exit, error.message],
      [
        'NOT_DEPLOYED',
        1,
        'chat-v1 is not deployed in eu-west-1, but this project deployed it to us-east-2: pass --region us-east-2.',
      ],
    )
  })
})
