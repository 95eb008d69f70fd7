import assert from 'node:assert/strict'

import {benchRouting} from '../../../src/lib/bench/target.js'

describe('bench target', () => {
  it("takes route and field from flags, then the template, then the sample's convention", () => {
    assert.deepEqual(benchRouting({}, {}), {route: 'sendmessage', routeField: ['message']})
    assert.deepEqual(benchRouting({route: 'chat', routeField: ['action']}, {}), {route: 'chat', routeField: ['action']})
    assert.deepEqual(benchRouting({route: 'chat', routeField: ['action']}, {route: 'join', routeField: 'meta.type'}), {route: 'join', routeField: ['meta', 'type']})
    // A template expression such as ${request.body.a}/${request.body.b} names no single field.
    assert.throws(() => benchRouting({route: 'a/b'}, {}), /not a single field: pass --route-field/)
    assert.deepEqual(benchRouting({route: 'a/b'}, {route: 'x', routeField: 'kind'}), {route: 'x', routeField: ['kind']})
  })
})
