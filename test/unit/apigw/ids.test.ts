import assert from 'node:assert/strict'

import {apiIdFor, ID_PATTERN, newId} from '../../../src/lib/apigw/ids.js'

describe('API Gateway ids', () => {
  it('7: have API Gateway’s format (11 bytes, URL-safe base64: 15 characters and =) and are unique', () => {
    const ids = Array.from({length: 50_000}, () => newId())
    for (const id of ids.slice(0, 1000)) assert.match(id, ID_PATTERN)
    assert.equal(new Set(ids).size, ids.length)
    // The last character before "=" carries 4 bits only, as in real ids (BFHPhfCWIAMCKlQ=, BFaT_fALIAMCKug=).
    assert.ok(ids.every((id) => 'AEIMQUYcgkosw048'.includes(id[14])))
  })

  it('made at the same moment share a time prefix, as AWS’s do', () => {
    const now = Date.now()
    assert.equal(newId(now).slice(0, 8), newId(now).slice(0, 8))
    assert.notEqual(newId(now).slice(0, 8), newId(now + 86_400_000).slice(0, 8))
  })

  it('api ids are 10 lowercase characters, stable per project', () => {
    assert.match(apiIdFor('chat'), /^[a-z0-9]{10}$/)
    assert.equal(apiIdFor('chat'), apiIdFor('chat'))
    assert.notEqual(apiIdFor('chat'), apiIdFor('other'))
  })
})
