import assert from 'node:assert/strict'

import {type ChatOptions, planChat} from '../../../src/lib/connect/chat-plan.js'

const base = (url: string, extra: Partial<ChatOptions> = {}): ChatOptions => ({
  connection: {},
  interactive: false,
  target: {source: 'argument', url},
  ...extra,
})

describe('connect chat plan', () => {
  const url = 'ws://127.0.0.1:1/v1'

  it('turns the options into a session: headers, token, subprotocols, handshake timeout', () => {
    const plan = planChat(
      base(url, {
        connection: {headers: ['X-A: 1', 'x-b:two: three'], subprotocols: ['p'], token: 't'},
        timeoutSeconds: 5,
      }),
    )
    assert.deepEqual(plan.session.headers, {'X-A': '1', 'x-b': 'two: three'})
    assert.equal(plan.session.url, 'ws://127.0.0.1:1/v1?token=t')
    assert.deepEqual(plan.session.subprotocols, ['p'])
    assert.equal(plan.session.handshakeTimeoutMs, 5000)
    assert.equal(planChat(base(url)).session.handshakeTimeoutMs, 30_000)
  })

  it('waits 2 s after the last line by default, until --count is met with --count, forever with --wait -1', () => {
    assert.equal(planChat(base(url)).waitMs, 2000)
    assert.equal(planChat(base(url, {count: 1})).waitMs, undefined)
    assert.equal(planChat(base(url, {count: 1, waitSeconds: 3})).waitMs, 3000)
    assert.equal(planChat(base(url, {waitSeconds: -1})).waitMs, undefined)
    assert.equal(planChat(base(url, {waitSeconds: 0})).waitMs, 0)
  })

  it('rejects bad values before connecting', () => {
    assert.throws(() => planChat(base(url, {connection: {headers: [': x']}})), /Invalid header ": x"/)
    assert.throws(() => planChat(base(url, {count: 0})), /Invalid --count 0/)
    assert.throws(() => planChat(base(url, {count: 1.5})), /Invalid --count 1\.5/)
    assert.throws(
      () => planChat(base(url, {waitSeconds: -2})),
      /Invalid --wait -2: give a number of seconds 0 or more \(or -1/,
    )
    assert.throws(() => planChat(base(url, {timeoutSeconds: 0})), /Invalid --timeout 0/)
    assert.throws(() => planChat(base(url, {execute: ['/close 1005']})), /-x "\/close 1005": \/close:/)
  })

  it("a 403 on the handshake to another stage than the project's is explained as a stage mismatch", () => {
    const target = {projectStage: 'v1', source: 'argument' as const, url: 'ws://127.0.0.1:1/prod'}
    assert.match(
      planChat(base(url, {target})).session.statusHints?.[403] ?? '',
      /^the URL's stage "prod" is not this project's stage "v1": a stage that does not exist answers 403; end the URL with \/v1$/,
    )
    assert.equal(planChat(base(url, {target: {...target, url: 'ws://127.0.0.1:1/v1'}})).session.statusHints, undefined)
    assert.equal(
      planChat(base(url, {target: {source: 'argument', url: 'ws://127.0.0.1:1/prod'}})).session.statusHints,
      undefined,
      'no project, no stage to compare',
    )
  })

  it('keepalive: the frame follows the route field; an interval at or past the idle timeout is warned about', () => {
    const plan = planChat(
      base(url, {keepaliveSeconds: 600, target: {routeSelection: '$request.body.action', source: 'argument', url}}),
    )
    assert.deepEqual(plan.session.keepalive, {intervalMs: 600_000, text: '{"action":"$keepalive"}'})
    assert.match(plan.warnings[0], /--keepalive 600 is not below API Gateway's 600 s idle timeout/)
    assert.equal(planChat(base(url, {keepaliveMessage: 'ping', keepaliveSeconds: 1})).session.keepalive?.text, 'ping')
  })

  it("with no template to read, plain lines get the seed's frames; --send-raw sends them as typed; a project's template decides", () => {
    const seed = planChat(base(url))
    assert.equal(seed.framing, 'seed')
    assert.equal(seed.builder.build('hi').text, '{"message":"sendmessage","data":"hi"}')
    const raw = planChat(base(url, {sendRaw: true}))
    assert.deepEqual([raw.framing, raw.builder.build('hi').text], ['raw', 'hi'])
    const flags = planChat(base(url, {message: {route: 'chat', routeField: 'action'}}))
    assert.deepEqual([flags.framing, flags.builder.build('hi').text], ['flags', '{"action":"chat","data":"hi"}'])
    const template = planChat(
      base(url, {target: {route: 'chat', routeSelection: '$request.body.action', source: 'dev', url}}),
    )
    assert.deepEqual(
      [template.framing, template.builder.build('hi').text],
      ['template', '{"action":"chat","data":"hi"}'],
    )
    // A project without a custom route: its template still decides (lines as typed), not the seed.
    const routeless = planChat(
      base(url, {target: {projectStage: 'v1', routeSelection: '$request.body.message', source: 'dev', url}}),
    )
    assert.deepEqual([routeless.framing, routeless.builder.build('hi').text], ['template', 'hi'])
    assert.throws(() => planChat(base(url, {message: {route: 'x'}, sendRaw: true})), {
      exit: 2,
      message: /--send-raw sends lines as typed: leave out -r\/--route and --route-field/,
    })
  })

  it('-x lines with rooms are read before connecting; a bad room name is a usage error', () => {
    assert.deepEqual(planChat(base(url, {execute: ['/join lobby', '/room lobby', 'hi']})).execute, [
      {kind: 'join', room: 'lobby'},
      {kind: 'room', room: 'lobby'},
      {kind: 'line', line: 'hi'},
    ])
    assert.throws(() => planChat(base(url, {execute: ['/join no way']})), {
      exit: 2,
      message: /^-x "\/join no way": \/join: "no way" is not a room name/,
    })
  })
})
