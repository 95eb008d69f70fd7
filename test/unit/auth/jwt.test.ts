import assert from 'node:assert/strict'
import {createPublicKey, generateKeyPairSync, verify} from 'node:crypto'

import {signJwt, type TokenClaims} from '../../../src/lib/auth/jwt.js'

describe('auth: signJwt', () => {
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const claims: TokenClaims = {
    aud: 'chat',
    exp: 1_800_000_600,
    iat: 1_800_000_000,
    iss: 'http://127.0.0.1:3001',
    room: 'lobby',
    sub: 'alice',
  }
  const parts = (token: string) => token.split('.')
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>

  it('writes a compact RS256 JWT: header naming the key, the claims as given, base64url without padding', () => {
    const token = signJwt(claims, privateKey, 'dev-key-1')
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/)
    const [header, payload] = parts(token)
    assert.deepEqual(decode(header), {alg: 'RS256', kid: 'dev-key-1', typ: 'JWT'})
    assert.deepEqual(decode(payload), claims)
  })

  it('the signature verifies with the public key over header.payload, and fails for any other content', () => {
    const token = signJwt(claims, privateKey, 'k')
    const [header, payload, signature] = parts(token)
    assert.ok(verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url')))
    const forged = Buffer.from(JSON.stringify({...claims, sub: 'mallory'})).toString('base64url')
    assert.ok(!verify('sha256', Buffer.from(`${header}.${forged}`), publicKey, Buffer.from(signature, 'base64url')))
  })

  it('takes the key as PEM text as well, with the same result (RSA PKCS#1 v1.5 signatures are deterministic)', () => {
    const pem = privateKey.export({format: 'pem', type: 'pkcs8'}).toString()
    assert.equal(signJwt(claims, pem, 'k'), signJwt(claims, privateKey, 'k'))
    const [header, payload, signature] = parts(signJwt(claims, pem, 'k'))
    assert.ok(
      verify('sha256', Buffer.from(`${header}.${payload}`), createPublicKey(pem), Buffer.from(signature, 'base64url')),
    )
  })
})
