import assert from 'node:assert/strict'

import {localIssuerProblem} from '../../../src/lib/deploy/local-issuer.js'
import type {CfnTemplate} from '../../../src/lib/project/index.js'

describe('deploy: a jwt project still pointing at the local issuer', () => {
  const template = (issuerDefault: string | undefined, auth: object = {issuerParameter: 'JwtIssuer', type: 'jwt'}) =>
    ({
      Metadata: {wsapi: {auth}},
      Parameters: {JwtIssuer: {...(issuerDefault === undefined ? {} : {Default: issuerDefault}), Type: 'String'}},
      Resources: {},
    }) as unknown as CfnTemplate

  it("is refused with what to pass when the issuer would deploy as 'local', given or by default", () => {
    const message =
      'Parameter JwtIssuer is local, which only wsapi dev can serve: pass --parameter JwtIssuer=<issuer URL> (e.g. https://cognito-idp.<region>.amazonaws.com/<user pool id>) and --parameter JwtAudience=<audience>.'
    assert.equal(localIssuerProblem(template('local'), {}, false), message)
    assert.equal(localIssuerProblem(template('https://issuer.example'), {JwtIssuer: 'local'}, false), message)
    assert.equal(localIssuerProblem(template('https://issuer.example'), {JwtIssuer: 'local'}, true), message)
  })

  it('is fine when a real issuer is given, when the deployed value is kept, or for other projects', () => {
    assert.equal(
      localIssuerProblem(
        template('local'),
        {JwtIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc'},
        false,
      ),
      undefined,
    )
    assert.equal(localIssuerProblem(template('local'), {}, true), undefined, 'the deployed stack keeps its own value')
    assert.equal(localIssuerProblem(template(undefined), {}, false), undefined)
    assert.equal(localIssuerProblem(template('local', {type: 'token'}), {}, false), undefined)
    assert.equal(
      localIssuerProblem(template('local', {type: 'jwt'}), {}, false),
      undefined,
      'no issuer parameter named',
    )
    assert.equal(localIssuerProblem({Resources: {}} as unknown as CfnTemplate, {}, false), undefined)
  })
})
