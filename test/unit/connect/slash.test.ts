import assert from 'node:assert/strict'

import {checkRoomName, isValidCloseCode, parseInput, slashHelp} from '../../../src/lib/connect/slash.js'

describe('connect slash commands', () => {
  it('reads lines and commands', () => {
    assert.deepEqual(parseInput('hello'), {kind: 'line', line: 'hello'})
    assert.deepEqual(parseInput('   '), {kind: 'empty'})
    assert.deepEqual(parseInput('//etc/passwd'), {kind: 'line', line: '/etc/passwd'})
    assert.deepEqual(parseInput('/help'), {kind: 'help'})
    assert.deepEqual(parseInput('/quit'), {kind: 'quit'})
    assert.deepEqual(parseInput('/route'), {kind: 'route'})
    assert.deepEqual(parseInput('/route  chat/join '), {kind: 'route', route: 'chat/join'})
    assert.deepEqual(parseInput('/send {"a": 1}'), {kind: 'send', text: '{"a": 1}'})
    assert.deepEqual(parseInput('/raw  two  spaces '), {kind: 'raw', text: ' two  spaces '})
    assert.deepEqual(parseInput('/raw'), {kind: 'raw', text: ''})
    assert.deepEqual(parseInput('/ping'), {data: '', kind: 'ping'})
    assert.deepEqual(parseInput('/ping abc'), {data: 'abc', kind: 'ping'})
    assert.deepEqual(parseInput('/history'), {kind: 'history', limit: 20})
    assert.deepEqual(parseInput('/history 5'), {kind: 'history', limit: 5})
  })

  it('/close takes an optional code and a reason with spaces', () => {
    assert.deepEqual(parseInput('/close'), {code: 1000, kind: 'close', reason: ''})
    assert.deepEqual(parseInput('/close 4000'), {code: 4000, kind: 'close', reason: ''})
    assert.deepEqual(parseInput('/close 1001 going  away now'), {code: 1001, kind: 'close', reason: 'going  away now'})
  })

  it('says what is wrong with a bad command', () => {
    assert.throws(
      () => parseInput('/close 1006'),
      /"1006" is not a close code a client may send: use 1000 \(normal\), 1001, or 3000–4999/,
    )
    assert.throws(() => parseInput('/close abc'), /not a close code/)
    assert.throws(() => parseInput(`/close 1000 ${'r'.repeat(124)}`), /at most 123/)
    assert.throws(() => parseInput(`/ping ${'p'.repeat(126)}`), /at most 125/)
    assert.throws(() => parseInput('/send'), /\/send: nothing to send; use \/raw/)
    assert.throws(() => parseInput('/send {oops'), /\/send: not JSON/)
    assert.throws(() => parseInput('/history none'), /not a count/)
    assert.throws(
      () => parseInput('/bogus x'),
      /Unknown command \/bogus: type \/help for the list \(start a line with \/\/ to send text that begins with "\/"\)/,
    )
    assert.throws(() => parseInput('/'), /Unknown command \/:/)
  })

  it('knows the close codes a client may send', () => {
    for (const code of [1000, 1001, 1003, 1014, 3000, 4999]) assert.ok(isValidCloseCode(code), String(code))
    for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000, 1000.5])
      assert.ok(!isValidCloseCode(code), String(code))
  })

  it('rooms and direct messages: /join, /leave, /room, /to, /whoami', () => {
    assert.deepEqual(parseInput('/join lobby'), {kind: 'join', room: 'lobby'})
    assert.deepEqual(parseInput('/leave  a.b_c-9 '), {kind: 'leave', room: 'a.b_c-9'})
    assert.deepEqual(parseInput('/room lobby'), {kind: 'room', room: 'lobby'})
    assert.deepEqual(parseInput('/room'), {kind: 'room'})
    assert.deepEqual(parseInput('/room   '), {kind: 'room'})
    assert.deepEqual(parseInput('/to AbC123='), {kind: 'to', recipient: 'AbC123='})
    assert.deepEqual(parseInput('/to user:alice'), {kind: 'to', recipient: 'user:alice'})
    assert.deepEqual(parseInput('/to'), {kind: 'to'})
    assert.deepEqual(parseInput('/whoami'), {kind: 'whoami'})
    assert.match(slashHelp(), /\/join <room> +join a room/)
    assert.match(slashHelp(), /\/whoami +ask the API for this connection's id/)
  })

  it('a bad room name or recipient is a one-line error saying what a name may hold', () => {
    const rule = /is not a room name: use 1 to 64 letters, digits, "_", "\." or "-", e\.g\. lobby\./
    assert.throws(() => parseInput('/join bad name'), rule)
    assert.throws(() => parseInput('/join bad name'), /^UsageError: \/join: "bad name"/)
    assert.throws(() => parseInput('/room caf\u00E9'), rule)
    assert.throws(() => parseInput(`/leave ${'r'.repeat(65)}`), rule)
    assert.equal(checkRoomName('r'.repeat(64)), 'r'.repeat(64))
    assert.throws(() => parseInput('/join'), /\/join: give a room name, e\.g\. \/join lobby\./)
    assert.throws(() => parseInput('/leave '), /\/leave: give a room name/)
    assert.throws(() => parseInput('/to a b'), /\/to: "a b" is not a connection id/)
    assert.throws(() => parseInput('/whoami me'), /\/whoami takes nothing after it/)
    for (const line of ['/join x\ny', '/room a/b']) assert.throws(() => parseInput(line), rule)
  })
})
