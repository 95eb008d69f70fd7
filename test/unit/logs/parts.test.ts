import assert from 'node:assert/strict'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {DevLog, DevLogFile} from '../../../src/lib/dev/log.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {renderLogLine} from '../../../src/ui/logs-render.js'
import {tempDir} from '../../helpers/tmp.js'

// --since, --filter, Lambda lines and function names: since, filter, message and functions.test.ts beside this file.
describe('wsapi logs: parts', () => {
  it("a line for a person: the message's control characters are shown, not obeyed; further lines are indented", () => {
    const line = renderLogLine({
      function: 'sendmessage',
      level: 'ERROR',
      message: 'bad\u001b]0;owned\u0007 thing\n    at handler',
      source: 'cloudwatch',
      time: '2026-12-04T06:00:00.123Z',
    })
    assert.ok(!line.includes('\u001b]0;'), line)
    assert.match(line, /06:00:00\.123.*sendmessage.*ERROR.*bad\\x1b\]0;owned\\x07 thing\n {30}at handler/)
  })

  it('dev writes what it prints to .wsapi/dev.log as NDJSON records, and rotates it past its size cap', async () => {
    const path = join(tempDir(), '.wsapi', 'dev.log')
    const output = new RecordingOutput()
    const log = new DevLog(output, true, new DevLogFile(path, 600))
    log.invocation({
      connectionId: 'c1=',
      durationMs: 12.4,
      functionId: 'SendmessageFunction',
      route: 'sendmessage',
      status: 200,
    })
    log.handler('SendmessageFunction', 'INFO', 'r1', '{"sent":1}')
    log.warn('reloaded \u001b[2J')
    await log.close()
    const records = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    assert.deepEqual(
      records.map(({time: _time, ...rest}) => rest),
      [
        {
          connectionId: 'c1=',
          durationMs: 12,
          function: 'SendmessageFunction',
          level: 'INFO',
          route: 'sendmessage',
          status: 200,
          text: 'sendmessage  c1=  12 ms  200',
        },
        {function: 'SendmessageFunction', level: 'INFO', requestId: 'r1', text: '{"sent":1}'},
        {level: 'WARN', text: 'reloaded \u001b[2J'},
      ],
    )
    assert.equal(statSync(path).mode & 0o777, 0o600, 'only this user reads what handlers logged')
    assert.equal(output.lines.length, 3)
    assert.ok(
      output.lines.every((line) => !line.message.includes('\u001b')),
      'the terminal gets escaped text',
    )

    // --quiet keeps the terminal quiet, not the file.
    const quiet = new RecordingOutput()
    const quietLog = new DevLog(quiet, false, new DevLogFile(path, 100_000))
    quietLog.handler('SendmessageFunction', 'INFO', 'rq', 'quiet line')
    await quietLog.close()
    assert.deepEqual(quiet.lines, [])
    assert.match(readFileSync(path, 'utf8'), /"requestId":"rq","text":"quiet line"/)

    const more = new DevLog(new RecordingOutput(), true, new DevLogFile(path, 600))
    for (let index = 0; index < 10; index++) more.handler('SendmessageFunction', 'INFO', `r${index}`, 'x'.repeat(50))
    await more.close()
    assert.ok(existsSync(`${path}.1`))
    assert.ok(statSync(path).size <= 600 && statSync(`${path}.1`).size <= 600)
    const all = [
      ...readFileSync(`${path}.1`, 'utf8').trim().split('\n'),
      ...readFileSync(path, 'utf8').trim().split('\n'),
    ].map((line) => JSON.parse(line).requestId)
    assert.equal(all.at(-1), 'r9', 'the newest record is in dev.log')
  })
})
