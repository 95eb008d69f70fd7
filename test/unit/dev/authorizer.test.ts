import assert from 'node:assert/strict'

import {authorizerDecision, hasIdentitySources} from '../../../src/lib/dev/authorizer.js'

const ARN = 'arn:aws:execute-api:us-east-1:000000000000:abc/v1/$connect'
const policy = (effect: string, resource = ARN, action = 'execute-api:Invoke') => ({
  principalId: 'me',
  policyDocument: {Statement: [{Action: action, Effect: effect, Resource: resource}], Version: '2012-10-17'},
})

describe('dev authorizer', () => {
  it('identity sources: query strings and headers (case-insensitive) must be present and non-empty', () => {
    assert.equal(hasIdentitySources(['route.request.querystring.token'], {}, {token: 'x'}), true)
    assert.equal(hasIdentitySources(['route.request.querystring.token'], {}, {token: ''}), false)
    assert.equal(hasIdentitySources(['route.request.querystring.token'], {}, undefined), false)
    assert.equal(hasIdentitySources(['route.request.header.Auth'], {auth: 'y'}, undefined), true)
    assert.equal(
      hasIdentitySources(['route.request.header.Auth', 'route.request.querystring.t'], {Auth: 'y'}, undefined),
      false,
    )
  })

  it('Allow on the methodArn (or a wildcard) → allowed, with the context stringified plus principalId and latency', () => {
    const decision = authorizerDecision(
      {ok: true, payload: {...policy('Allow'), context: {n: 1, b: false, s: 'x'}}},
      ARN,
      12.4,
    )
    assert.deepEqual(decision, {
      allowed: true,
      context: {b: 'false', integrationLatency: 12, n: '1', principalId: 'me', s: 'x'},
    })
    assert.equal(
      authorizerDecision({ok: true, payload: policy('Allow', 'arn:aws:execute-api:*:*:abc/*')}, ARN, 1).allowed,
      true,
    )
    assert.equal(authorizerDecision({ok: true, payload: policy('Allow', '*', 'execute-api:*')}, ARN, 1).allowed, true)
  })

  it('Deny, an Allow on something else, or no principalId → 403', () => {
    for (const payload of [
      policy('Deny'),
      policy('Allow', 'arn:aws:execute-api:us-east-1:000000000000:other/v1/$connect'),
      policy('Allow', ARN, 's3:GetObject'),
      {...policy('Allow'), principalId: ''},
    ]) {
      const decision = authorizerDecision({ok: true, payload}, ARN, 1)
      assert.equal(decision.allowed ? 200 : decision.status, 403, JSON.stringify(payload))
    }

    const both = {
      ...policy('Allow'),
      policyDocument: {
        Statement: [policy('Allow').policyDocument.Statement[0], policy('Deny').policyDocument.Statement[0]],
      },
    }
    assert.equal(authorizerDecision({ok: true, payload: both}, ARN, 1).allowed, false, 'an explicit Deny wins')
  })

  it('"Unauthorized" thrown → 401; other failures and malformed results → 500', () => {
    const status = (outcome: Parameters<typeof authorizerDecision>[0]) => {
      const decision = authorizerDecision(outcome, ARN, 1)
      return decision.allowed ? 200 : decision.status
    }

    assert.equal(status({error: {errorMessage: 'Unauthorized'}, ok: false}), 401)
    assert.equal(status({error: {errorMessage: 'boom'}, ok: false}), 500)
    assert.equal(status({ok: true, payload: null}), 500)
    assert.equal(status({ok: true, payload: {principalId: 'x'}}), 500)
    assert.equal(status({ok: true, payload: {...policy('Allow'), context: {big: 'x'.repeat(9000)}}}), 500)
  })
})
