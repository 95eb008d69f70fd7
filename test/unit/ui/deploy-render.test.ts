import assert from 'node:assert/strict'
import {PassThrough} from 'node:stream'

import ansis from 'ansis'

import {statusTone} from '../../../src/lib/deploy/index.js'
import {countChanges, renderChanges, renderOutputs, timeAgo} from '../../../src/ui/deploy-render.js'
import {formatElapsed, terminalActivity} from '../../../src/ui/stack-activity.js'

const event = (logicalId: string, status: string, reason?: string) => ({
  eventId: `${logicalId}-${status}`,
  logicalId,
  reason,
  resourceType: 'AWS::Lambda::Function',
  stackId: 's',
  status,
  timestamp: new Date(),
})

function capture() {
  const stream = new PassThrough() as PassThrough & {isTTY?: boolean}
  let text = ''
  stream.on('data', (chunk) => (text += chunk))
  // Colours off; cursor controls (\r, erase line) kept.
  return {stream: stream as unknown as NodeJS.WriteStream, text: () => text.replaceAll(/\u001B\[[0-9;]*m/g, '')}
}

describe('deploy rendering', () => {
  it('colours statuses by what they mean', () => {
    assert.deepEqual(
      [
        'CREATE_COMPLETE',
        'UPDATE_IN_PROGRESS',
        'CREATE_FAILED',
        'UPDATE_ROLLBACK_IN_PROGRESS',
        'ROLLBACK_COMPLETE',
        'DELETE_SKIPPED',
        'REVIEW_IN_PROGRESS',
      ].map((status) => statusTone(status)),
      ['success', 'progress', 'failure', 'rollback', 'rollback', 'neutral', 'progress'],
    )
  })

  it('plain lines (no terminal): elapsed, [N/M], status, logical id, type, reason', () => {
    const out = capture()
    const activity = terminalActivity({stream: out.stream, tty: false})
    activity.start({operation: 'UPDATE', stackName: 'chat-v1', total: 2})
    activity.activity({done: 1, elapsedMs: 65_000, event: event('ConnectFunction', 'UPDATE_COMPLETE'), total: 2})
    activity.activity({
      done: 1,
      elapsedMs: 66_000,
      event: event('DefaultFunction', 'UPDATE_FAILED', 'Code storage limit exceeded.'),
      total: 2,
    })
    activity.stop({done: 2, elapsedMs: 70_000, total: 2})
    assert.equal(
      out.text(),
      [
        'Updating chat-v1 (2 resources)',
        '   1:05  [1/2] UPDATE_COMPLETE       ConnectFunction           AWS::Lambda::Function',
        '   1:06  [1/2] UPDATE_FAILED         DefaultFunction           AWS::Lambda::Function  Code storage limit exceeded.',
        '  2/2 resources in 1:10',
        '',
      ].join('\n'),
    )
  })

  it('in a terminal: lines scroll above a progress bar redrawn in place', () => {
    const out = capture()
    const activity = terminalActivity({stream: out.stream, tty: true})
    activity.start({operation: 'CREATE', stackName: 'chat-v1', total: 4})
    activity.activity({done: 2, elapsedMs: 3000, event: event('ConnectFunction', 'CREATE_COMPLETE'), total: 4})
    activity.stop({done: 4, elapsedMs: 9000, total: 4})
    const text = out.text()
    assert.match(text, /\r\u001B\[2K {2}░{24} 0\/4 {2}0:00/)
    assert.match(
      text,
      /\r\u001B\[2K {3}0:03 {2}CREATE_COMPLETE +ConnectFunction +AWS::Lambda::Function\n\r\u001B\[2K {2}█{12}░{12} 2\/4/,
    )
    assert.match(text, /\r\u001B\[2K {2}4\/4 resources in 0:09\n$/)
    assert.doesNotMatch(text, /\[2\/4\]/, 'the bar carries the count')
  })

  it('the change set table, counts, outputs and times', () => {
    const table = ansis.strip(
      renderChanges([
        {action: 'Add', logicalId: 'JoinFunction', resourceType: 'AWS::Lambda::Function'},
        {action: 'Modify', logicalId: 'ConnectionsTable', replacement: 'True', resourceType: 'AWS::DynamoDB::Table'},
        {action: 'Modify', logicalId: 'Stage', replacement: 'Conditional', resourceType: 'AWS::ApiGatewayV2::Stage'},
        {action: 'Remove', logicalId: 'OldRole', resourceType: 'AWS::IAM::Role'},
      ]),
    )
    assert.equal(
      table,
      [
        '  Action  Logical ID        Type                      Replacement',
        '  Add     JoinFunction      AWS::Lambda::Function',
        '  Modify  ConnectionsTable  AWS::DynamoDB::Table      Replace',
        '  Modify  Stage             AWS::ApiGatewayV2::Stage  May replace',
        '  Remove  OldRole           AWS::IAM::Role',
      ].join('\n'),
    )
    assert.equal(
      countChanges([
        {action: 'Add', logicalId: 'a', resourceType: 't'},
        {action: 'Modify', logicalId: 'b', resourceType: 't'},
        {action: 'Modify', logicalId: 'c', resourceType: 't'},
      ]),
      '1 to add, 2 to modify',
    )
    assert.equal(
      ansis.strip(renderOutputs({WebSocketUrl: 'wss://x/v1', ApiId: 'x'})),
      'Outputs:\n  WebSocketUrl  wss://x/v1\n  ApiId         x',
    )
    assert.equal(formatElapsed(3_725_000), '62:05')
    assert.equal(timeAgo('2026-03-01T10:00:00Z', Date.parse('2026-03-01T10:03:30Z')), '3 minutes ago')
    assert.equal(timeAgo('2026-03-01T10:00:00Z', Date.parse('2026-03-03T10:00:00Z')), '2 days ago')
  })
})
