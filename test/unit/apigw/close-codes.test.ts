import assert from 'node:assert/strict'

import {ABNORMAL, CLOSE, describeClose, NO_STATUS} from '../../../src/lib/apigw/close-codes.js'

describe('API Gateway close codes', () => {
  it('describes a close: the code, what it means behind API Gateway, and the reason if any', () => {
    assert.equal(describeClose(1000, ''), '1000 (normal closure)')
    assert.equal(
      describeClose(1001, ''),
      '1001 (going away (API Gateway: the 10-minute idle timeout or the 2-hour connection limit))',
    )
    assert.equal(
      describeClose(1009, ''),
      '1009 (message too big (API Gateway: a frame over 32 KB or a message over 128 KB))',
    )
    assert.equal(describeClose(1006, ''), '1006 (abnormal closure: the connection dropped without a close frame)')
    assert.equal(describeClose(4001, 'bye now'), '4001 "bye now"')
    assert.equal(describeClose(1008, 'nope'), '1008 (policy violation) "nope"')
  })

  it('the closes the emulator sends carry the codes their descriptions explain', () => {
    assert.match(describeClose(CLOSE.goingAway.code, CLOSE.goingAway.reason), /^1001 \(going away .*\) "Going away"$/)
    assert.match(
      describeClose(CLOSE.tooBig.code, CLOSE.tooBig.reason),
      /^1009 \(message too big .*\) "Message too big"$/,
    )
    assert.match(describeClose(CLOSE.unsupportedData.code, ''), /binary frames are not supported/)
    assert.equal(describeClose(CLOSE.deleted.code, CLOSE.deleted.reason), '1000 (normal closure)')
    assert.deepEqual([NO_STATUS.code, ABNORMAL.code], [1005, 1006])
  })
})
