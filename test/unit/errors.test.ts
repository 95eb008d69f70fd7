import assert from 'node:assert/strict'

import {ExitCode, UsageError, WsapiError} from '../../src/lib/errors.js'

describe('errors', () => {
  it("exit codes are the README's: 0 ok, 1 failure, 2 usage, 130 interrupted", () => {
    assert.deepEqual(ExitCode, {failure: 1, interrupted: 130, ok: 0, usage: 2})
  })

  it('a WsapiError is a failure (exit 1, code WSAPI_ERROR) unless told otherwise, and keeps its cause', () => {
    const plain = new WsapiError('Stack not found.')
    assert.deepEqual(
      [plain.name, plain.message, plain.code, plain.exit, 'cause' in plain],
      ['WsapiError', 'Stack not found.', 'WSAPI_ERROR', 1, false],
    )
    const cause = new Error('socket hang up')
    const told = new WsapiError('Could not reach S3.', {cause, code: 'S3_UNREACHABLE', exit: ExitCode.interrupted})
    assert.deepEqual([told.code, told.exit, told.cause], ['S3_UNREACHABLE', 130, cause])
    assert.ok(told instanceof Error)
  })

  it('a UsageError always exits 2, with code USAGE unless given', () => {
    const error = new UsageError('Invalid --stage: use letters and digits.')
    assert.deepEqual([error.name, error.exit, error.code], ['UsageError', 2, 'USAGE'])
    assert.equal(new UsageError('x', {code: 'INVALID_STAGE'}).code, 'INVALID_STAGE')
    assert.ok(error instanceof WsapiError)
  })

  it('WsapiError.is recognises one from another copy of the module by its shape, and nothing else', () => {
    const copy = Object.assign(new Error('from the bundled runtime'), {code: 'X', exit: 1})
    assert.ok(WsapiError.is(copy))
    assert.ok(WsapiError.is(new UsageError('u')))
    assert.ok(!WsapiError.is(new Error('plain')))
    assert.ok(!WsapiError.is(Object.assign(new Error('code only'), {code: 'ENOENT'})))
    assert.ok(!WsapiError.is({code: 'X', exit: 1, message: 'not an Error'}))
    assert.ok(!WsapiError.is(undefined))
  })
})
