import assert from 'node:assert/strict'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {DevLog, DevLogFile} from '../../../src/lib/dev/log.js'
import {compactJson, lineMatcher, parseLambdaMessage, parseSince, selectFunctions} from '../../../src/lib/logs/index.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {renderLogLine} from '../../../src/ui/logs-render.js'
import {tempDir} from '../../helpers/tmp.js'

describe('wsapi logs: parts', () => {
  it('--since takes 30s, 10m, 2h, 1d or an ISO date; anything else is a usage error', () => {
    const now = Date.parse('2026-12-04T12:00:00Z')
    assert.equal(parseSince('10m', now), now - 600_000)
    assert.equal(parseSince('2h', now), now - 7_200_000)
    assert.equal(parseSince('30s', now), now - 30_000)
    assert.equal(parseSince('1d', now), now - 86_400_000)
    assert.equal(parseSince('2026-12-04T11:00:00Z', now), Date.parse('2026-12-04T11:00:00Z'))
    for (const bad of ['10', 'ten minutes', '5y', '2026-13-45']) {
      assert.throws(() => parseSince(bad, now), (error: Error & {exit: number}) => error.exit === 2 && /^Invalid --since/.test(error.message), bad)
    }
  })

  it('filter patterns as CloudWatch reads them: terms, phrases, ?any, -exclude, %regex%, JSON', () => {
    const lines = ['ERROR timed out after 3 s', 'INFO sent 3', 'WARN slow', '{"level":"ERROR","ms":120,"route":"sendmessage"}']
    const matching = (pattern: string) => lines.filter((line) => lineMatcher(pattern)(line))
    assert.deepEqual(matching(''), lines)
    assert.deepEqual(matching('ERROR'), [lines[0], lines[3]])
    assert.deepEqual(matching('"timed out"'), [lines[0]])
    assert.deepEqual(matching('?WARN ?INFO'), [lines[1], lines[2]])
    assert.deepEqual(matching('ERROR -timed'), [lines[3]])
    assert.deepEqual(matching('%sent \\d%'), [lines[1]])
    assert.deepEqual(matching('error'), [], 'case sensitive')
    assert.deepEqual(matching('{ $.level = "ERROR" && $.ms > 100 }'), [lines[3]])
    assert.deepEqual(matching('{ $.route = "send*" }'), [lines[3]])
    assert.deepEqual(matching('{ $.ms < 100 || $.level = "WARN" }'), [])
    assert.throws(() => lineMatcher('[ip, user]'), /Space-delimited filter patterns/)
  })

  it('Lambda lines: the text and JSON formats lose their prefix and keep level and request id; JSON goes on one line', () => {
    assert.deepEqual(parseLambdaMessage('2026-12-04T06:00:00.030Z\t5f1e-aa\tWARN\t{\n  "slow": true\n}\n'), {level: 'WARN', message: '{"slow":true}', requestId: '5f1e-aa'})
    assert.deepEqual(parseLambdaMessage('{"timestamp":"2026-12-04T06:00:00Z","level":"INFO","requestId":"r1","message":"hi","extra":1}'), {level: 'INFO', message: 'hi {"extra":1}', requestId: 'r1'})
    assert.deepEqual(parseLambdaMessage('{ "a": [1, 2] }\n'), {message: '{"a":[1,2]}'})
    assert.deepEqual(parseLambdaMessage('END RequestId: r1\n'), {message: 'END RequestId: r1'})
    assert.equal(compactJson('{not json'), '{not json')
  })

  it('function names: short name, logical id, route key with or without $, any case; each once', () => {
    const all = [
      {logicalId: 'ConnectFunction', name: 'connect', routes: ['$connect']},
      {logicalId: 'SendmessageFunction', name: 'sendmessage', routes: ['sendmessage']},
    ]
    assert.deepEqual(selectFunctions(all, ['CONNECT', '$connect', 'SendmessageFunction']).map((fn) => fn.name), ['connect', 'sendmessage'])
    assert.throws(() => selectFunctions(all, ['x']), /name one of connect \(\$connect\), sendmessage \(sendmessage\)/)
  })

  it("a line for a person: the message's control characters are shown, not obeyed; further lines are indented", () => {
    const line = renderLogLine({function: 'sendmessage', level: 'ERROR', message: 'bad\u001b]0;owned\u0007 thing\n    at handler', source: 'cloudwatch', time: '2026-12-04T06:00:00.123Z'})
    assert.ok(!line.includes('\u001b]0;'), line)
    assert.match(line, /06:00:00\.123.*sendmessage.*ERROR.*bad\\x1b\]0;owned\\x07 thing\n {30}at handler/)
  })

  it('dev writes what it prints to .wsapi/dev.log as NDJSON records, and rotates it past its size cap', async () => {
    const path = join(tempDir(), '.wsapi', 'dev.log')
    const output = new RecordingOutput()
    const log = new DevLog(output, true, new DevLogFile(path, 600))
    log.invocation({connectionId: 'c1=', durationMs: 12.4, functionId: 'SendmessageFunction', route: 'sendmessage', status: 200})
    log.handler('SendmessageFunction', 'INFO', 'r1', '{"sent":1}')
    log.warn('reloaded \u001b[2J')
    await log.close()
    const records = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    assert.deepEqual(records.map(({time: _time, ...rest}) => rest), [
      {connectionId: 'c1=', durationMs: 12, function: 'SendmessageFunction', level: 'INFO', route: 'sendmessage', status: 200, text: 'sendmessage  c1=  12 ms  200'},
      {function: 'SendmessageFunction', level: 'INFO', requestId: 'r1', text: '{"sent":1}'},
      {level: 'WARN', text: 'reloaded \u001b[2J'},
    ])
    assert.equal(statSync(path).mode & 0o777, 0o600, 'only this user reads what handlers logged')
    assert.equal(output.lines.length, 3)
    assert.ok(output.lines.every((line) => !line.message.includes('\u001b')), 'the terminal gets escaped text')

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
    const all = [...readFileSync(`${path}.1`, 'utf8').trim().split('\n'), ...readFileSync(path, 'utf8').trim().split('\n')].map((line) => JSON.parse(line).requestId)
    assert.equal(all.at(-1), 'r9', 'the newest record is in dev.log')
  })
})
