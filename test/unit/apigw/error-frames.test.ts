import assert from 'node:assert/strict'

import {apiGatewayError, errorFrame, type ErrorFrameMessage} from '../../../src/lib/apigw/error-frames.js'

describe('API Gateway error frames', () => {
  it('17, 21, 22: error frames are byte-exact', () => {
    assert.equal(
      errorFrame('Forbidden', 'XDmENcnwIE0CFEQ=', 'XDmGEE2RoE0FRdQ='),
      '{"message": "Forbidden", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmGEE2RoE0FRdQ="}',
    )
    assert.equal(
      errorFrame('Internal server error', 'a', 'b'),
      '{"message": "Internal server error", "connectionId":"a", "requestId":"b"}',
    )
    assert.equal(
      errorFrame('Endpoint request timed out', 'a', 'b'),
      '{"message": "Endpoint request timed out", "connectionId":"a", "requestId":"b"}',
    )
  })

  it('recognises every frame the emulator builds, with the ids it was given', () => {
    const messages: ErrorFrameMessage[] = [
      'Endpoint request timed out',
      'Forbidden',
      'Internal server error',
      'Too Many Requests',
    ]
    for (const message of messages) {
      const recognised = apiGatewayError(errorFrame(message, 'XDmENcnwIE0CFEQ=', 'XDmGEE2RoE0FRdQ='))
      assert.equal(recognised?.message, message)
      assert.equal(recognised?.connectionId, 'XDmENcnwIE0CFEQ=')
      assert.equal(recognised?.requestId, 'XDmGEE2RoE0FRdQ=')
    }
  })

  describe('apiGatewayError', () => {
    it('recognises the frames API Gateway sends, with their exact spacing', () => {
      const forbidden = apiGatewayError(
        '{"message": "Forbidden", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmGEE2RoE0FRdQ="}',
      )
      assert.deepEqual(forbidden, {
        connectionId: 'XDmENcnwIE0CFEQ=',
        hint: 'no route matches this message and there is no $default route (or the request was not authorized)',
        message: 'Forbidden',
        requestId: 'XDmGEE2RoE0FRdQ=',
      })
      assert.equal(
        apiGatewayError(
          '{"message": "Internal server error", "connectionId":"Qyi07eCbtjMCJKw=", "requestId":"Qyi3UG41tjMFlUg="}',
        )?.message,
        'Internal server error',
      )
      assert.equal(
        apiGatewayError('{"message": "Endpoint request timed out", "connectionId":"a", "requestId":"b"}')?.message,
        'Endpoint request timed out',
      )
      assert.equal(
        apiGatewayError('{"message" : "Bad request body", "connectionId": "a", "messageId": "m"}')?.requestId,
        'm',
      )
      // The throttled message's frame (wsapi dev sends it when the stage's throttling drops a message).
      assert.match(
        apiGatewayError('{"message": "Too Many Requests", "connectionId":"a", "requestId":"b"}')?.hint ?? '',
        /throttling/,
      )
    })

    it("names the server's integration timeout when known (wsapi dev records it), else no invented figure", () => {
      const frame = '{"message": "Endpoint request timed out", "connectionId":"a", "requestId":"b"}'
      assert.equal(
        apiGatewayError(frame, {integrationTimeoutMs: 2000})?.hint,
        "the route's integration took longer than 2 s (the server's integration timeout)",
      )
      assert.equal(
        apiGatewayError(frame, {integrationTimeoutMs: 1500})?.hint,
        "the route's integration took longer than 1.5 s (the server's integration timeout)",
      )
      assert.equal(
        apiGatewayError(frame)?.hint,
        "the route's integration took longer than the integration timeout (API Gateway's default: 29 s)",
      )
    })

    it('leaves other messages alone', () => {
      for (const text of [
        '{"message":"Forbidden","from":"bob"}',
        '{"message":"sendmessage","data":"Forbidden"}',
        '"Forbidden"',
        'Forbidden',
        '{"message": "Something else", "connectionId":"a"}',
        // The full shape with words of someone else's choosing: a broadcast can look like this.
        '{"message": "Something else", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmGEE2RoE0FRdQ="}',
        '{"message": "\\u001b]0;PWNED\\u0007", "connectionId":"a", "messageId":"m"}',
        '{"message":"hello"}',
        '{"message":"forbidden"}',
        '[{"message":"Forbidden"}]',
      ]) {
        assert.equal(apiGatewayError(text), undefined, text)
      }
    })
  })
})
