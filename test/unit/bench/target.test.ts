import assert from 'node:assert/strict'

import {benchRouting} from '../../../src/lib/bench/target.js'
import {parseHeaderFlags} from '../../../src/lib/client/headers.js'
import {withToken} from '../../../src/lib/client/url.js'

describe('bench target', () => {
  it("takes route and field from flags, then the template, then the sample's convention", () => {
    assert.deepEqual(benchRouting({}, {}), {route: 'sendmessage', routeField: ['message']})
    assert.deepEqual(benchRouting({route: 'chat', routeField: ['action']}, {}), {route: 'chat', routeField: ['action']})
    assert.deepEqual(benchRouting({route: 'chat', routeField: ['action']}, {route: 'join', routeField: 'meta.type'}), {
      route: 'join',
      routeField: ['meta', 'type'],
    })
    // A template expression such as ${request.body.a}/${request.body.b} names no single field.
    assert.throws(() => benchRouting({route: 'a/b'}, {}), /not a single field: pass --route-field/)
    assert.deepEqual(benchRouting({route: 'a/b'}, {route: 'x', routeField: 'kind'}), {route: 'x', routeField: ['kind']})
  })

  it('adds the token query string and parses headers', () => {
    assert.equal(withToken('ws://127.0.0.1:3001/v1', undefined), 'ws://127.0.0.1:3001/v1')
    assert.equal(withToken('ws://127.0.0.1:3001/v1?a=1', 'a b&c+'), 'ws://127.0.0.1:3001/v1?a=1&token=a%20b%26c%2B')
    assert.equal(withToken('ws://h/v1', 's3cr3t'), 'ws://h/v1?token=s3cr3t')
    assert.deepEqual(parseHeaderFlags(['X-A: 1', 'Authorization:Bearer x:y']), {
      Authorization: 'Bearer x:y',
      'X-A': '1',
    })
    assert.deepEqual(parseHeaderFlags(undefined), {})
    assert.throws(() => parseHeaderFlags([': x']), /Invalid header ": x"/)
    assert.equal(withToken('ws://h/v1?token=old&b=2', 'new'), 'ws://h/v1?b=2&token=new')
  })
})
