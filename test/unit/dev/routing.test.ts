import assert from 'node:assert/strict'

import {RouteTable} from '../../../src/lib/dev/routing.js'
import {parseRouteSelectionExpression, type RouteModel} from '../../../src/lib/project/index.js'

const route = (key: string): RouteModel => ({
  functionId: `F${key}`,
  integrationId: 'I',
  key,
  logicalId: `R${key}`,
  twoWay: false,
})

function table(expression: string, keys: string[]): RouteTable {
  return new RouteTable(
    keys.map((key) => route(key)),
    parseRouteSelectionExpression(expression),
  )
}

const selected = (routes: RouteTable, body: string) => routes.select(body).route?.key

describe('dev routing', () => {
  it('13: $request.body paths, nested too', () => {
    assert.equal(selected(table('$request.body.action', ['join', '$default']), '{"action":"join"}'), 'join')
    assert.equal(selected(table('$request.body.service.do', ['go']), '{"service":{"do":"go"}}'), 'go')
  })

  it('14: templates, missing paths as "", static and escaped expressions', () => {
    assert.equal(
      selected(
        table('${request.body.service}/${request.body.action}', ['chat/join']),
        '{"service":"chat","action":"join"}',
      ),
      'chat/join',
    )
    assert.equal(selected(table('${request.body.action}-${request.body.x}', ['join-']), '{"action":"join"}'), 'join-')
    assert.equal(selected(table('always', ['always']), 'anything, even not JSON'), 'always')
    assert.equal(selected(table(String.raw`\$default`, ['$default']), '{}'), '$default')
  })

  it('15: numbers and arrays are stringified; matching is exact and case-sensitive', () => {
    const routes = table('$request.body.action', ['5', 'true', '[a, b]', 'Join', '$default'])
    assert.equal(selected(routes, '{"action":5}'), '5')
    assert.equal(selected(routes, '{"action":true}'), 'true')
    assert.equal(selected(routes, '{"action":["a","b"]}'), '[a, b]')
    assert.equal(selected(routes, '{"action":"join"}'), '$default')
    assert.equal(selected(routes, '{"action":"Join"}'), 'Join')
  })

  it('16: non-JSON, a missing key or no match → $default', () => {
    const routes = table('$request.body.action', ['join', '$default'])
    for (const body of ['not json', '{"other":1}', '{"action":"leave"}', '', '[]', 'null'])
      assert.equal(selected(routes, body), '$default', body)
  })

  it('17: no match and no $default → no route', () => {
    assert.equal(selected(table('$request.body.action', ['join']), '{"action":"leave"}'), undefined)
  })

  it('18: $connect and $disconnect are never selected', () => {
    const routes = table('$request.body.action', ['$connect', '$disconnect', '$default'])
    assert.equal(selected(routes, '{"action":"$connect"}'), '$default')
    assert.equal(selected(routes, '{"action":"$disconnect"}'), '$default')
    assert.equal(selected(table('$request.body.action', ['$connect']), '{"action":"$connect"}'), undefined)
  })
})
