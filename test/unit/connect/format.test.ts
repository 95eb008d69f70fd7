import assert from 'node:assert/strict'

import {describeBinary, type JsonStyle, layoutJson, oneLine} from '../../../src/lib/connect/format.js'

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
      assert.equal(
        layoutJson('{"a":[1,{"b":null}],"c":{},"d":[]}', {indent: 2}),
        '{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ],\n  "c": {},\n  "d": []\n}',
      )
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
      assert.equal(
        layoutJson('{"k":"v","n":-1,"t":true,"x":null}', {style: tagged}),
        '{K("k"):S("v"),K("n"):N(-1),K("t"):L(true),K("x"):L(null)}',
      )
      assert.equal(layoutJson('"just a string"', {style: tagged}), 'S("just a string")')
    })

    it('returns undefined for text that is not JSON', () => {
      for (const text of ['hello', '{"a":', '{a:1}', '']) assert.equal(layoutJson(text), undefined)
    })
  })

  it('oneLine compacts JSON and escapes line breaks in text', () => {
    assert.equal(oneLine('{\n "a": 1\n}'), '{"a":1}')
    assert.equal(oneLine('two\r\nlines\n'), String.raw`two\r\nlines\n`)
  })

  it('describes binary frames', () => {
    assert.equal(describeBinary(Buffer.from([0, 15, 255])), '[binary, 3 bytes] 00 0f ff')
    assert.equal(describeBinary(Buffer.alloc(40), 2), '[binary, 40 bytes] 00 00 …')
  })
})
