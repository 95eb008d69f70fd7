import assert from 'node:assert/strict'

import {isJsonObject, MessageBuilder} from '../../../src/lib/connect/message.js'

describe('connect messages', () => {
  it("wraps a plain line for the template's route field and route", () => {
    const builder = new MessageBuilder({route: 'sendmessage', routeSelection: '$request.body.message'})
    assert.deepEqual(builder.build('hello "you"'), {
      kind: 'wrapped',
      text: '{"message":"sendmessage","data":"hello \\"you\\""}',
    })
    assert.equal(
      builder.describe(),
      'Lines are sent as {"message":"sendmessage","data":"<line>"}; a JSON object is sent as typed',
    )
  })

  it('sends a JSON object as typed, and anything else (arrays, numbers) wrapped as text', () => {
    const builder = new MessageBuilder({route: 'sendmessage', routeSelection: '$request.body.message'})
    assert.deepEqual(builder.build(' {"message":"x", "data": 1} '), {
      kind: 'json',
      text: ' {"message":"x", "data": 1} ',
    })
    assert.equal(builder.build('[1,2]').text, '{"message":"sendmessage","data":"[1,2]"}')
    assert.equal(builder.build('42').text, '{"message":"sendmessage","data":"42"}')
    assert.equal(builder.build('{not json').text, '{"message":"sendmessage","data":"{not json"}')
    assert.ok(!isJsonObject('null'))
  })

  it('nested paths give nested objects; template expressions fill each field', () => {
    assert.equal(
      new MessageBuilder({route: 'join', routeSelection: '$request.body.meta.action'}).build('x').text,
      '{"meta":{"action":"join"},"data":"x"}',
    )
    assert.equal(
      new MessageBuilder({route: 'join', routeField: 'body.action'}).build('x').text,
      '{"body":{"action":"join"},"data":"x"}',
    )
    assert.equal(
      new MessageBuilder({route: 'chat/send', routeSelection: '${request.body.service}/${request.body.action}'}).build(
        'x',
      ).text,
      '{"service":"chat","action":"send","data":"x"}',
    )
  })

  it('--route-field overrides the template; -r alone assumes the "message" field', () => {
    assert.equal(
      new MessageBuilder({route: 'join', routeField: 'action', routeSelection: '$request.body.message'}).build('x')
        .text,
      '{"action":"join","data":"x"}',
    )
    assert.equal(new MessageBuilder({route: 'join'}).build('x').text, '{"message":"join","data":"x"}')
  })

  it('without a route, lines are sent as typed and the banner says so', () => {
    const builder = new MessageBuilder({routeSelection: '$request.body.message'})
    assert.deepEqual(builder.build('hi'), {kind: 'text', text: 'hi'})
    assert.match(builder.describe(), /^Lines are sent as typed \(no route known: pass -r\/--route/)
    builder.setRoute('join')
    assert.equal(builder.build('hi').text, '{"message":"join","data":"hi"}')
  })

  it('refuses a route no message can select, and bad route fields', () => {
    assert.throws(
      () => new MessageBuilder({route: 'other', routeSelection: 'action'}),
      /No message can select route "other" under the route selection expression action/,
    )
    assert.throws(() => new MessageBuilder({route: 'x', routeField: 'data'}), /No message can select route "x"/)
    assert.throws(() => new MessageBuilder({route: 'x', routeField: 'a b'}), /Invalid --route-field "a b"/)
    assert.throws(() => new MessageBuilder({route: ''}), /The route is empty/)
    const builder = new MessageBuilder({route: 'a', routeSelection: 'a'})
    assert.equal(builder.build('x').text, '{"data":"x"}', 'a static expression routes every message alike')
  })

  it('the keepalive frame selects "$keepalive", a key no custom route can have', () => {
    assert.equal(
      new MessageBuilder({routeSelection: '$request.body.message'}).keepaliveFrame(),
      '{"message":"$keepalive"}',
    )
    assert.equal(new MessageBuilder({routeField: 'a.b'}).keepaliveFrame(), '{"a":{"b":"$keepalive"}}')
    assert.equal(new MessageBuilder({}).keepaliveFrame(), '{"wsapi":"keepalive"}')
    assert.equal(
      new MessageBuilder({routeSelection: '${request.body.a}/${request.body.b}'}).keepaliveFrame(),
      '{"wsapi":"keepalive"}',
    )
  })

  it('puts room or recipient fields between the route and data; /join, /leave and /whoami frames follow the route field', () => {
    const builder = new MessageBuilder({route: 'sendmessage', routeSelection: '$request.body.message'})
    assert.equal(builder.build('hi', {room: 'lobby'}).text, '{"message":"sendmessage","room":"lobby","data":"hi"}')
    assert.equal(builder.build('hi', {to: 'abc='}).text, '{"message":"sendmessage","to":"abc=","data":"hi"}')
    assert.equal(builder.build('{"a":1}', {room: 'lobby'}).text, '{"a":1}', 'a JSON object stays as typed')
    assert.equal(
      builder.describe({room: 'lobby'}),
      'Lines are sent as {"message":"sendmessage","room":"lobby","data":"<line>"}; a JSON object is sent as typed',
    )
    assert.equal(builder.command('join', {room: 'lobby'}), '{"message":"join","room":"lobby"}')
    assert.equal(builder.command('whoami'), '{"message":"whoami"}')
    assert.equal(
      new MessageBuilder({route: 'chat', routeField: 'action'}).command('leave', {room: 'a'}),
      '{"action":"leave","room":"a"}',
    )
    assert.equal(
      new MessageBuilder({}).command('join', {room: 'a'}),
      '{"message":"join","room":"a"}',
      "lines as typed: the seed's field",
    )
  })
})
