import assert from 'node:assert/strict'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {basename, join} from 'node:path'

import {historyFile, LineHistory, userStateDir} from '../../../src/lib/connect/history.js'
import {historyKey} from '../../../src/lib/client/url.js'
import {tempDir} from '../../helpers/tmp.js'

describe('connect history', () => {
  it('lives in ~/.wsapi unless WSAPI_STATE_DIR says otherwise', () => {
    assert.equal(userStateDir({}), join(homedir(), '.wsapi'))
    assert.equal(userStateDir({WSAPI_STATE_DIR: '/tmp/state'}), '/tmp/state')
  })

  it('one file per API: the query (a token) and a trailing slash do not count, host, port and path do', () => {
    const dir = tempDir()
    const file = historyFile('ws://127.0.0.1:3001/v1', dir)
    assert.match(basename(file), /^127\.0\.0\.1_3001_v1-[\da-f]{12}\.txt$/)
    assert.equal(historyFile('ws://127.0.0.1:3001/v1/?token=abc', dir), file)
    assert.notEqual(historyFile('ws://127.0.0.1:3002/v1', dir), file)
    assert.notEqual(historyFile('ws://127.0.0.1:3001/v2', dir), file)
    assert.notEqual(historyFile('wss://127.0.0.1:3001/v1', dir), file)
    assert.equal(historyKey('WS://Example.COM:80/v1/#x'), 'ws://example.com/v1')
  })

  it('keeps lines across instances, skips blanks and repeats, only the owner reads it', () => {
    const file = join(tempDir(), 'history', 'x.txt')
    const first = new LineHistory(file)
    assert.deepEqual(first.load(), [])
    for (const line of ['one', 'one', '  ', 'two', 'one']) first.add(line)
    assert.deepEqual(new LineHistory(file).load(), ['one', 'two', 'one'])
    assert.equal(statSync(file).mode & 0o777, 0o600)
    const second = new LineHistory(file)
    second.load()
    second.add('one')
    assert.equal(readFileSync(file, 'utf8'), 'one\ntwo\none\n', 'the last line of the file counts as the previous one')
  })

  it('keeps the newest lines when the file grows past twice the limit', () => {
    const file = join(tempDir(), 'h.txt')
    const history = new LineHistory(file, 3)
    for (let i = 1; i <= 7; i++) history.add(`line ${i}`)
    assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n'), ['line 5', 'line 6', 'line 7'])
    assert.deepEqual(new LineHistory(file, 2).load(), ['line 6', 'line 7'])
  })

  it('reports a history it cannot write, and carries on', () => {
    const blocker = join(tempDir(), 'file')
    writeFileSync(blocker, '')
    const errors: string[] = []
    const history = new LineHistory(join(blocker, 'history', 'x.txt'), 10, (message) => errors.push(message))
    history.add('hello')
    assert.match(errors[0], /^Could not save the history to .*history\/x\.txt: /)
  })
})
