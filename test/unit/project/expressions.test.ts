import assert from 'node:assert/strict'

import {
  evaluateRouteSelection,
  exampleMessage,
  parseRouteSelectionExpression,
  routeFieldPath,
  stringifySelected,
} from '../../../src/lib/project/expressions.js'

const route = (expression: string, body: string) =>
  evaluateRouteSelection(parseRouteSelectionExpression(expression), body)

describe('route selection expressions', () => {
  describe('parse', () => {
    for (const valid of [
      '$request.body.message',
      '$request.body.service.do',
      '$request.body.items[0].kind',
      '${request.body.service}/${request.body.action}',
      'action',
      '\\$default',
      'chat-${request.body.room}',
    ]) {
      it(`accepts ${valid}`, () => {
        assert.equal(parseRouteSelectionExpression(valid).source, valid)
      })
    }

    for (const [invalid, why] of [
      ['', /empty/],
      ['   ', /empty/],
      ['$request.header.x', /only \$request.body/],
      ['$request.body', /whole body/],
      ['$request.body.', /not a JSON path/],
      ['${request.body.action', /never closed/],
      ['a$b', /escaped/],
      ['${request.querystring.x}', /only \$request.body/],
    ] as const) {
      it(`rejects ${JSON.stringify(invalid)} naming the value`, () => {
        assert.throws(
          () => parseRouteSelectionExpression(invalid),
          (error: Error & {exit?: number}) => {
            assert.ok(error.message.includes(JSON.stringify(invalid)), error.message)
            assert.match(error.message, why)
            assert.equal(error.exit, 2)
            return true
          },
        )
      })
    }
  })

  describe('evaluate (reference §2.1, checklist 13–16)', () => {
    it('selects a top-level field', () => assert.equal(route('$request.body.action', '{"action":"join"}'), 'join'))
    it('selects a nested field', () => assert.equal(route('$request.body.service.do', '{"service":{"do":"x"}}'), 'x'))
    it('fills templates', () =>
      assert.equal(
        route('${request.body.service}/${request.body.action}', '{"service":"chat","action":"join"}'),
        'chat/join',
      ))
    it('resolves a missing path to ""', () =>
      assert.equal(route('${request.body.action}-${request.body.x}', '{"action":"join"}'), 'join-'))
    it('returns static expressions as they are', () => assert.equal(route('action', 'not even json'), 'action'))
    it('unescapes \\$', () => assert.equal(route('\\$default', '{}'), '$default'))
    it('stringifies numbers and booleans', () => {
      assert.equal(route('$request.body.action', '{"action":5}'), '5')
      assert.equal(route('$request.body.action', '{"action":true}'), 'true')
    })
    it('stringifies arrays as the AWS guide shows', () =>
      assert.equal(route('$request.body.a', '{"a":["item1","item2"]}'), '[item1, item2]'))
    it('is undefined for a body that is not JSON (→ $default)', () =>
      assert.equal(route('$request.body.action', 'hello'), undefined))
    it('gives "" for a missing key', () => assert.equal(route('$request.body.action', '{"other":1}'), ''))
    it('never reads inherited properties', () => {
      assert.equal(route('$request.body.constructor', '{}'), '')
      assert.equal(route('$request.body.__proto__', '{}'), '')
    })
    it('indexes arrays', () => assert.equal(route('$request.body.items[1]', '{"items":["a","b"]}'), 'b'))
    it('treats null as ""', () => assert.equal(stringifySelected(null), ''))
  })

  describe('exampleMessage', () => {
    const example = (expression: string, key: string) =>
      exampleMessage(parseRouteSelectionExpression(expression), key, {data: 'hello'})
    it('builds the seed payload', () =>
      assert.deepEqual(example('$request.body.message', 'sendmessage'), {data: 'hello', message: 'sendmessage'}))
    it('builds nested paths', () => assert.deepEqual(example('$request.body.a.b', 'x'), {a: {b: 'x'}, data: 'hello'}))
    it('splits templates', () =>
      assert.deepEqual(example('${request.body.service}/${request.body.action}', 'chat/join'), {
        action: 'join',
        data: 'hello',
        service: 'chat',
      }))
    it('needs nothing for a matching static expression', () =>
      assert.deepEqual(example('sendmessage', 'sendmessage'), {data: 'hello'}))
    it('is undefined when no message can select the route', () => {
      assert.equal(example('other', 'sendmessage'), undefined)
      assert.equal(example('prefix-${request.body.x}', 'sendmessage'), undefined)
    })
  })

  it('routeFieldPath names the field of a bare path only', () => {
    assert.deepEqual(routeFieldPath(parseRouteSelectionExpression('$request.body.message')), ['message'])
    assert.equal(routeFieldPath(parseRouteSelectionExpression('${request.body.a}/x')), undefined)
    assert.equal(routeFieldPath(parseRouteSelectionExpression('static')), undefined)
  })
})
