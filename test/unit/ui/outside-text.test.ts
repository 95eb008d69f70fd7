import assert from 'node:assert/strict'
import {PassThrough} from 'node:stream'

import type {BenchResult} from '../../../src/lib/bench/index.js'
import {renderBenchSummary} from '../../../src/ui/bench-report.js'
import {renderBlocking, renderChanges, renderFailures, renderOutputs} from '../../../src/ui/deploy-render.js'
import {formatActivity, terminalActivity} from '../../../src/ui/stack-activity.js'

/**
 * AWS's words (stack event reasons quote other services and the stack's own values, a stack of the
 * same name may not be wsapi's) and a benchmarked server's frames are shown, never obeyed: their
 * control characters reach the terminal as visible escapes.
 */

const HOSTILE = 'x \u001B]0;PWNED\u0007\u001B[2J\u009B2J\r\nnext'
const SHOWN = String.raw`x \x1b]0;PWNED\x07\x1b[2J\u009b2J\r\nnext`

function assertNoRawControls(text: string): void {
  for (const sequence of ['\u001B]0;PWNED', '\u001B[2J', '\u009B', '\r']) {
    assert.ok(!text.includes(sequence), `raw ${JSON.stringify(sequence)} in:\n${JSON.stringify(text)}`)
  }
}

const latency = {count: 0, max: null, mean: null, min: null, p50: null, p95: null, p99: null}

describe('text from AWS and from servers in the rendering of deploy, status, destroy and bench', () => {
  it('stack events: reason, status, logical id and type', () => {
    const event = {
      eventId: 'e',
      logicalId: `Fn${HOSTILE}`,
      reason: HOSTILE,
      resourceType: `AWS::X${HOSTILE}`,
      stackId: 's',
      status: 'CREATE_FAILED',
      timestamp: new Date(),
    }
    const line = formatActivity({done: 0, elapsedMs: 0, event, total: 1})
    assertNoRawControls(line.replaceAll(/\u001B\[\d+m/g, ''))
    assert.ok(line.includes(SHOWN))
    const stream = new PassThrough()
    let written = ''
    stream.on('data', (chunk) => (written += chunk))
    const activity = terminalActivity({stream: stream as unknown as NodeJS.WriteStream, tty: false})
    activity.start({operation: 'CREATE', stackName: 'chat-v1', total: 1})
    activity.activity({done: 1, elapsedMs: 0, event, total: 1})
    assert.ok(written.includes(SHOWN))
    assert.equal(written.split('\n').length, 3, 'one line per event')
  })

  it('failures, blocking resources, outputs and change sets', () => {
    const rendered = [
      renderFailures([
        {logicalId: 'Fn', reason: HOSTILE, resourceType: 'AWS::Lambda::Function', status: 'CREATE_FAILED'},
      ]),
      renderBlocking([
        {fix: 'empty it', logicalId: 'Bucket', physicalId: HOSTILE, reason: HOSTILE, resourceType: 'AWS::S3::Bucket'},
      ]),
      renderOutputs({WebSocketUrl: `wss://${HOSTILE}`, [`Key${HOSTILE}`]: HOSTILE}),
      renderChanges([{action: 'Add', logicalId: HOSTILE, resourceType: HOSTILE}]),
    ]
    for (const text of rendered) {
      assertNoRawControls(text.replaceAll(/\u001B\[\d+m/g, ''))
      assert.ok(text.includes(SHOWN), text)
    }
  })

  it("bench: a server's frames and failure reasons in the summary", () => {
    const result = {
      connections: {connect: latency, dropped: {}, failed: 1, failures: {[HOSTILE]: 1}, open: 1, requested: 2},
      deliveries: {duplicates: 0, expected: 1, lost: 0, received: 1, unexpected: 0},
      durationMs: 10,
      errorFrames: {byMessage: {}, total: 0},
      latency: {delivery: latency, first: latency, last: latency},
      messages: {complete: 1, lost: 0, partial: 0, planned: 1, sendFailed: 0, sent: 1},
      otherFrames: {samples: [HOSTILE], total: 1},
      passed: true,
      problems: [],
      settings: {
        clients: 2,
        expect: 'all',
        rate: 100,
        route: 'sendmessage',
        routeField: 'message',
        timeoutMs: 10_000,
        url: 'ws://127.0.0.1:1/v1',
      },
      timedOut: false,
    } as unknown as BenchResult
    const summary = renderBenchSummary(result)
    assertNoRawControls(summary.replaceAll(/\u001B\[\d+m/g, ''))
    assert.equal(summary.split(SHOWN).length, 3, 'the failure reason and the sample')
  })
})
