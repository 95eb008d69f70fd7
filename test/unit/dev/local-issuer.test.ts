import assert from 'node:assert/strict'
import {createPrivateKey, createPublicKey, createSign, createVerify, type JsonWebKey} from 'node:crypto'
import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {JWKS_PATH, jwtAuthMetadata, LocalIssuer} from '../../../src/lib/dev/local-issuer.js'
import {tempDir} from '../../helpers/tmp.js'

describe('dev: the local JWT issuer', () => {
  it("reads a jwt project's auth metadata, and nothing from others", () => {
    const auth = {audienceParameter: 'JwtAudience', issuerParameter: 'JwtIssuer', type: 'jwt'}
    assert.deepEqual(jwtAuthMetadata({Metadata: {wsapi: {auth}}}), auth)
    assert.equal(jwtAuthMetadata({Metadata: {wsapi: {auth: {...auth, type: 'lambda'}}}}), undefined)
    assert.equal(jwtAuthMetadata({Metadata: {wsapi: {auth: {type: 'jwt'}}}}), undefined)
    assert.equal(jwtAuthMetadata({}), undefined)
  })

  it('serves the public half of the key it writes, under the RFC 7638 thumbprint as kid', () => {
    const issuer = new LocalIssuer()
    const [jwk] = issuer.jwks.keys
    assert.equal(jwk.kid, issuer.keyId)
    assert.equal(jwk.alg, 'RS256')
    assert.equal(jwk.d, undefined, 'no private part in the JWKS')
    const keyFile = join(tempDir(), 'dev', 'issuer-key.pem')
    issuer.writeKey(keyFile)
    assert.equal(statSync(keyFile).mode & 0o777, 0o600)
    const signature = createSign('RSA-SHA256')
      .update('payload')
      .sign(createPrivateKey(readFileSync(keyFile, 'utf8')))
    const publicKey = createPublicKey({format: 'jwk', key: jwk as JsonWebKey})
    assert.ok(createVerify('RSA-SHA256').update('payload').verify(publicKey, signature))
    // Written again (a restart), still 0600 and readable.
    issuer.writeKey(keyFile)
    assert.equal(statSync(keyFile).mode & 0o777, 0o600)
  })

  it('describes itself as an OpenID provider at its issuer URL', () => {
    assert.deepEqual(new LocalIssuer().openIdConfiguration('http://127.0.0.1:3001'), {
      id_token_signing_alg_values_supported: ['RS256'],
      issuer: 'http://127.0.0.1:3001',
      jwks_uri: `http://127.0.0.1:3001${JWKS_PATH}`,
    })
  })
})
