import assert from 'node:assert/strict'
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {DevLog, DevLogFile, type DevLogRecord, devLogPath} from '../../../src/lib/dev/log.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {tempDir} from '../../helpers/tmp.js'

const records = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as DevLogRecord)

describe('dev: the log', () => {
  it('prints one line per invocation, and the failure of one with its stack, indented', () => {
    const output = new RecordingOutput()
    const log = new DevLog(output, true)
    log.invocation({
      connectionId: 'c1=',
      durationMs: 12.4,
      functionId: 'DefaultFunction',
      route: '$default',
      status: 200,
    })
    log.invocation({
      connectionId: 'c1=',
      error: {errorMessage: 'boom', errorType: 'Error', stack: 'Error: boom\n    at handler'},
      functionId: 'DefaultFunction',
      route: '$default',
      status: 'Internal server error',
    })
    const [ok, failed] = output.lines
    assert.equal(ok.level, 'info')
    assert.match(ok.message, /^\d\d:\d\d:\d\d\.\d{3} {2}\$default {4} {2}c1= {2}DefaultFunction {9}12 ms {2}200$/)
    assert.equal(failed.level, 'error')
    assert.match(failed.message, /Internal server error\n {4}Error: boom\n {8}at handler$/)
    log.invocation({
      connectionId: 'c2=',
      error: {errorMessage: 'no module', errorType: 'Runtime.ImportModuleError', init: true},
      functionId: 'DefaultFunction',
      route: '$connect',
      status: 502,
    })
    assert.match(
      output.lines[2].message,
      /502\n {4}Init error: the handler threw while loading\n {4}Runtime.ImportModuleError: no module$/,
    )
    log.invocation({connectionId: 'c3=', route: '$connect', status: 403, note: 'Forbidden'})
    assert.equal(output.lines[3].level, 'warn')
    assert.match(output.lines[3].message, /\$connect {4} {2}c3= {2}- {30}403 {2}Forbidden$/)
  })

  it('never passes control characters from clients or handlers to the terminal, and keeps them in the file as written', async () => {
    const output = new RecordingOutput()
    const path = join(tempDir(), 'dev.log')
    const log = new DevLog(output, true, new DevLogFile(path))
    log.handler('DefaultFunction', 'INFO', 'r1', 'title \u001B]0;pwned\u0007 here')
    log.warn('close reason \u001B[2J')
    await log.close()
    assert.equal(output.text().includes('\u001B'), false)
    assert.deepEqual(
      records(path).map((record) => record.text),
      ['title \u001B]0;pwned\u0007 here', 'close reason \u001B[2J'],
    )
    assert.equal(statSync(path).mode & 0o777, 0o600)
  })

  it('with invocations off (--quiet), still writes them to the file for wsapi logs', async () => {
    const output = new RecordingOutput()
    const path = join(tempDir(), 'dev.log')
    const log = new DevLog(output, false, new DevLogFile(path))
    log.invocation({connectionId: 'c1=', durationMs: 3, functionId: 'F', route: 'sendmessage', status: 200})
    log.handler('F', 'INFO', 'r1', 'hello')
    await log.close()
    assert.deepEqual(output.lines, [])
    const [invocation, line] = records(path)
    assert.equal(invocation.route, 'sendmessage')
    assert.equal(invocation.durationMs, 3)
    assert.equal(line.function, 'F')
    assert.equal(line.requestId, 'r1')
  })

  it('keeps at most two files: past its size the log moves to dev.log.1 and starts again', async () => {
    const path = join(tempDir(), 'dev.log')
    const file = new DevLogFile(path, 200)
    for (let index = 0; index < 6; index++)
      file.write({level: 'INFO', text: `line ${index} ${'x'.repeat(40)}`, time: '2026-01-01T00:00:00.000Z'})
    await file.close()
    assert.ok(existsSync(`${path}.1`))
    assert.ok(statSync(path).size <= 200)
    assert.equal(records(path).at(-1)?.text.startsWith('line 5'), true)
  })

  it('keeps printing when its file cannot be written, and stops trying', async () => {
    const blocker = join(tempDir(), 'file')
    writeFileSync(blocker, '')
    const output = new RecordingOutput()
    const log = new DevLog(output, true, new DevLogFile(join(blocker, 'dev.log')))
    log.info('first')
    log.warn('second')
    await log.close()
    assert.deepEqual(
      output.lines.map((line) => line.message),
      ['first', 'second'],
    )
    assert.equal(existsSync(join(blocker, 'dev.log')), false)
  })

  it("lives in the project's .wsapi folder", () => {
    assert.equal(devLogPath('/p'), join('/p', '.wsapi', 'dev.log'))
  })
})
