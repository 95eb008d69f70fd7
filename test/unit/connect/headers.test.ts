import assert from 'node:assert/strict'

import {parseHeader, parseHeaderFlags} from '../../../src/lib/connect/headers.js'

describe('connect headers', () => {
  it('reads "Name: value", keeping colons of the value; a bad name is a usage error naming the header', () => {
    assert.deepEqual(parseHeader('X-A:  1 '), ['X-A', '1'])
    assert.deepEqual(parseHeaderFlags(['X-A: 1', 'Authorization:Bearer x:y']), {Authorization: 'Bearer x:y', 'X-A': '1'})
    assert.deepEqual(parseHeaderFlags(undefined), {})
    assert.throws(() => parseHeader('no colon'), /Invalid header "no colon": write it as "Name: value"/)
    assert.throws(() => parseHeader('Bad Name: x'), /Invalid header "Bad Name: x"/)
  })
})
