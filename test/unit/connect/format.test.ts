import assert from 'node:assert/strict'

import {apiGatewayError, describeBinary, describeClose, type JsonStyle, layoutJson, oneLine} from '../../../src/lib/connect/format.js'

const tagged: JsonStyle = {
  key: (text) => `K(${text})`,
  literal: (text) => `L(${text})`,
  number: (text) => `N(${text})`,
  punctuation: (text) => text,
  string: (text) => `S(${text})`,
}

describe('connect format', () => {
  describe('layoutJson', () => {
    it('pretty-prints with the given indent, empty containers kept short', () => {
      assert.equal(layoutJson('{"a":[1,{"b":null}],"c":{},"d":[]}', {indent: 2}), '{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ],\n  "c": {},\n  "d": []\n}')
    })

    it('compacts onto one line', () => {
      assert.equal(layoutJson('{\n  "a" : [ 1 , 2 ],\n  "s": "x  y"\n}'), '{"a":[1,2],"s":"x  y"}')
    })

    it('copies values exactly: big numbers, escapes, duplicate keys, key order', () => {
      const text = '{"z":12345678901234567890,"e":1.50e+10,"s":"a\\"b\\\\\\u00e9 ,:{}[]","z":-0}'
      assert.equal(layoutJson(text), text)
      assert.match(layoutJson(text, {indent: 2})!, /"z": 12345678901234567890,\n {2}"e": 1\.50e\+10,/)
    })

    it('colours keys, strings, numbers and literals differently', () => {
      assert.equal(layoutJson('{"k":"v","n":-1,"t":true,"x":null}', {style: tagged}), '{K("k"):S("v"),K("n"):N(-1),K("t"):L(true),K("x"):L(null)}')
      assert.equal(layoutJson('"just a string"', {style: tagged}), 'S("just a string")')
    })

    it('returns undefined for text that is not JSON', () => {
      for (const text of ['hello', '{"a":', '{a:1}', '']) assert.equal(layoutJson(text), undefined)
    })
  })

  describe('apiGatewayError', () => {
    it('recognises the frames API Gateway sends, with their exact spacing', () => {
      const forbidden = apiGatewayError('{"message": "Forbidden", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmGEE2RoE0FRdQ="}')
      assert.deepEqual(forbidden, {
        connectionId: 'XDmENcnwIE0CFEQ=',
        hint: 'no route matches this message and there is no $default route (or the request was not authorized)',
        message: 'Forbidden',
        requestId: 'XDmGEE2RoE0FRdQ=',
      })
      assert.equal(apiGatewayError('{"message": "Internal server error", "connectionId":"Qyi07eCbtjMCJKw=", "requestId":"Qyi3UG41tjMFlUg="}')?.message, 'Internal server error')
      assert.equal(apiGatewayError('{"message": "Endpoint request timed out", "connectionId":"a", "requestId":"b"}')?.message, 'Endpoint request timed out')
      assert.equal(apiGatewayError('{"message" : "Bad request body", "connectionId": "a", "messageId": "m"}')?.requestId, 'm')
      // The throttled message's frame (wsapi dev sends it when the stage's throttling drops a message).
      assert.match(apiGatewayError('{"message": "Too Many Requests", "connectionId":"a", "requestId":"b"}')?.hint ?? '', /throttling/)
    })

    it("names the server's integration timeout when known (wsapi dev records it), else no invented figure", () => {
      const frame = '{"message": "Endpoint request timed out", "connectionId":"a", "requestId":"b"}'
      assert.equal(apiGatewayError(frame, {integrationTimeoutMs: 2000})?.hint, "the route's integration took longer than 2 s (the server's integration timeout)")
      assert.equal(apiGatewayError(frame, {integrationTimeoutMs: 1500})?.hint, "the route's integration took longer than 1.5 s (the server's integration timeout)")
      assert.equal(apiGatewayError(frame)?.hint, "the route's integration took longer than the integration timeout (API Gateway's default: 29 s)")
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

  it('oneLine compacts JSON and escapes line breaks in text', () => {
    assert.equal(oneLine('{\n "a": 1\n}'), '{"a":1}')
    assert.equal(oneLine('two\r\nlines\n'), String.raw`two\r\nlines\n`)
  })

  it('describes binary frames and close codes', () => {
    assert.equal(describeBinary(Buffer.from([0, 15, 255])), '[binary, 3 bytes] 00 0f ff')
    assert.equal(describeBinary(Buffer.alloc(40), 2), '[binary, 40 bytes] 00 00 …')
    assert.equal(describeClose(1000, ''), '1000 (normal closure)')
    assert.equal(describeClose(1009, ''), '1009 (message too big (API Gateway: a frame over 32 KB or a message over 128 KB))')
    assert.equal(describeClose(4001, 'bye now'), '4001 "bye now"')
  })
})
