import assert from 'node:assert/strict'

import {parseHeaderFlags} from '../../../src/lib/client/headers.js'

describe('client headers', () => {
  it('turns -H "Name: value" flags into headers, splitting at the first colon', () => {
    assert.deepEqual(parseHeaderFlags(['X-A: 1', 'Authorization:Bearer x:y']), {
      Authorization: 'Bearer x:y',
      'X-A': '1',
    })
    assert.deepEqual(parseHeaderFlags(undefined), {})
    assert.deepEqual(parseHeaderFlags(['X-Empty:']), {'X-Empty': ''})
  })

  it('refuses a header without a valid name, saying how to write one', () => {
    assert.throws(() => parseHeaderFlags([': x']), /Invalid header ": x": write it as "Name: value"/)
    assert.throws(() => parseHeaderFlags(['no colon']), /Invalid header "no colon"/)
    assert.throws(() => parseHeaderFlags(['Bad Name: x']), /Invalid header "Bad Name: x"/)
  })
})
