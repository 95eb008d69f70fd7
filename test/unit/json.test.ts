import assert from 'node:assert/strict'

import {jsonObject} from '../../src/lib/json.js'

describe('jsonObject', () => {
  it('returns the object a text holds, leading spaces allowed', () => {
    assert.deepEqual(jsonObject(' {"a":1,"b":[2]}'), {a: 1, b: [2]})
  })

  it('is undefined for text, broken JSON and JSON that is not an object', () => {
    for (const text of ['hello', '{"a":', '[1]', '"x"', 'null', '42', ''])
      assert.equal(jsonObject(text), undefined, text)
  })
})
