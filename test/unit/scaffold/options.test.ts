import assert from 'node:assert/strict'

import {UsageError} from '../../../src/lib/errors.js'
import {
  defaultRateBurst,
  INIT_DEFAULTS,
  type RawInitOptions,
  resolveInitOptions,
  validateAuth,
  validateBilling,
  validateJwtAudience,
  validateJwtIssuer,
  validateLogRetention,
  validateRateLimit,
  validateRouteSelection,
} from '../../../src/lib/scaffold/options.js'

const usage = (code: string, message: RegExp) => (error: unknown) =>
  error instanceof UsageError && error.exit === 2 && error.code === code && message.test(error.message)

describe('scaffold: init options', () => {
  it('no answers: the defaults, with the name checked', () => {
    assert.deepEqual(resolveInitOptions({name: 'chat'}), {...INIT_DEFAULTS, name: 'chat'})
    assert.throws(() => resolveInitOptions({name: 'bad name'}), UsageError)
  })

  it('takes two seconds of messages as the burst unless told, and checks rate, burst and reservation', () => {
    const options = (raw: RawInitOptions) => resolveInitOptions({name: 'chat', ...raw})
    assert.deepEqual([options({}).rateLimit, options({}).rateBurst, options({}).reservedConcurrency], ['10/s', 20, 100])
    assert.equal(options({rateLimit: '5'}).rateLimit, '5/s')
    assert.equal(options({rateLimit: '5/sec'}).rateBurst, 10)
    assert.deepEqual([options({rateLimit: '30/m'}).rateLimit, options({rateLimit: '30/m'}).rateBurst], ['30/m', 1])
    assert.deepEqual([options({rateLimit: 'off'}).rateLimit, options({rateLimit: '0'}).rateBurst], ['off', 0])
    assert.equal(options({reservedConcurrency: 'none'}).reservedConcurrency, 'none')
    for (const [raw, pattern] of [
      [
        {rateLimit: '10/h'},
        /Invalid rate limit "10\/h": give messages per connection per second or minute, e\.g\. 10\/s or 30\/m/,
      ],
      [{rateLimit: 'fast'}, /Invalid rate limit "fast"/],
      [{rateLimit: '-3/s'}, /Invalid rate limit/],
      [{rateLimit: '20000/s'}, /at most 10000\/s/],
      [{rateBurst: '0'}, /Invalid rate burst "0"/],
      [{rateBurst: 'x'}, /Invalid rate burst "x"/],
      [{rateBurst: 5, rateLimit: 'off'}, /A rate burst needs a rate limit/],
      [{reservedConcurrency: '0'}, /would throttle every message.*or none/],
      [{reservedConcurrency: 'lots'}, /Invalid reserved concurrency \(or none\) "lots"/],
    ] as Array<[RawInitOptions, RegExp]>) {
      assert.throws(
        () => options(raw),
        (error: unknown) => error instanceof UsageError && pattern.test(error.message),
        JSON.stringify(raw),
      )
    }
  })

  it('rate limits: per second or minute, any spelling, stored as n/s or n/m; bursts of two seconds, 1 to 10,000', () => {
    assert.deepEqual(
      ['10/second', '30/min', ' 2 / minute ', 'OFF', 'none', '0/m', 2.5].map((value) => validateRateLimit(value)),
      ['10/s', '30/m', '2/m', 'off', 'off', 'off', '2.5/s'],
    )
    assert.deepEqual(
      ['10/s', '30/m', '1/m', '9000/s', '0.2/s'].map((rate) => defaultRateBurst(rate)),
      [20, 1, 1, 10_000, 1],
    )
    assert.equal(validateRateLimit('600000/m'), '600000/m', '10,000 a second, given per minute')
    assert.throws(() => validateRateLimit('600060/m'), usage('INVALID_RATE', /at most 10000\/s/))
  })

  it('billing, auth and log retention take only what CloudFormation and the templates know', () => {
    assert.equal(validateBilling('provisioned'), 'provisioned')
    assert.throws(
      () => validateBilling('PAY_PER_REQUEST'),
      usage('INVALID_BILLING', /^Invalid billing mode "PAY_PER_REQUEST": choose on-demand or provisioned\.$/),
    )
    assert.deepEqual(
      ['none', 'token', 'jwt', 'iam'].map((mode) => validateAuth(mode)),
      ['none', 'token', 'jwt', 'iam'],
    )
    assert.throws(
      () => validateAuth('cognito'),
      usage('INVALID_AUTH', /^Invalid auth "cognito": choose none, token, jwt or iam\.$/),
    )
    assert.equal(validateLogRetention('30'), 30)
    assert.throws(
      () => validateLogRetention(31),
      usage('INVALID_NUMBER', /^Invalid log retention 31: CloudWatch Logs accepts 1, 3, 5, 7, 14, 30, /),
    )
  })

  it('JWT: the issuer is local or an https URL (trailing slash dropped); the audience printable, no spaces; jwt flags need --auth jwt', () => {
    assert.equal(validateJwtIssuer(' local '), 'local')
    assert.equal(
      validateJwtIssuer('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/'),
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC',
    )
    for (const bad of [
      'http://issuer.example',
      'https://issuer.example/?a=1',
      'https://issuer.example/#x',
      'https://user:pw@issuer.example',
      'issuer.example',
    ]) {
      assert.throws(() => validateJwtIssuer(bad), usage('INVALID_JWT_ISSUER', /give the issuer's https URL/), bad)
    }

    assert.equal(validateJwtAudience('3n4b5c6d7e8f'), '3n4b5c6d7e8f')
    for (const bad of ['', 'two words', 'x'.repeat(257), 'tab\t'])
      assert.throws(() => validateJwtAudience(bad), usage('INVALID_JWT_AUDIENCE', /^Invalid JWT audience/), bad)
    const jwt = resolveInitOptions({auth: 'jwt', name: 'Chat'})
    assert.deepEqual([jwt.jwtIssuer, jwt.jwtAudience], ['local', 'chat'])
    assert.throws(
      () => resolveInitOptions({jwtIssuer: 'local', name: 'chat'}),
      usage('INVALID_AUTH', /^--jwt-issuer and --jwt-audience go with --auth jwt/),
    )
  })

  it('route selection: any field but "data", which carries the payload in the generated handlers', () => {
    assert.equal(validateRouteSelection('$request.body.action'), '$request.body.action')
    assert.throws(
      () => validateRouteSelection('$request.body.data'),
      usage('INVALID_EXPRESSION', /the generated handlers carry the payload in "data"/),
    )
    assert.throws(
      () => validateRouteSelection('$request.body.data.kind'),
      usage('INVALID_EXPRESSION', /select on another field/),
    )
  })

  it('routes: a comma list or an array; numbers within their ranges', () => {
    assert.deepEqual(
      resolveInitOptions({name: 'chat', routes: 'join, leave'}).routes,
      resolveInitOptions({name: 'chat', routes: ['join', 'leave']}).routes,
    )
    for (const raw of [
      {memory: 64},
      {timeout: 901},
      {readCapacity: 0},
      {fanoutShards: 1001},
      {fanoutInlineMax: 10_001},
    ] as RawInitOptions[]) {
      assert.throws(
        () => resolveInitOptions({name: 'chat', ...raw}),
        usage('INVALID_NUMBER', /^Invalid /),
        JSON.stringify(raw),
      )
    }
  })
})
