import assert from 'node:assert/strict'
import {generateKeyPairSync, verify} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {devToken, parseClaim} from '../../../src/lib/auth/dev-token.js'
import {UsageError} from '../../../src/lib/errors.js'
import type {DevServerState} from '../../../src/lib/project/index.js'
import {tempDir} from '../../helpers/tmp.js'

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>

describe('wsapi token: tokens of the local issuer', () => {
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const keyFile = join(tempDir(), 'issuer-key.pem')
  writeFileSync(keyFile, privateKey.export({format: 'pem', type: 'pkcs8'}) as string, {mode: 0o600})
  const server = (jwtIssuer?: DevServerState['jwtIssuer']): DevServerState => ({
    jwtIssuer,
    managementEndpoint: '',
    pageUrl: '',
    pid: 42,
    stage: 'v1',
    startedAt: '',
    url: 'ws://127.0.0.1:3001/v1',
  })
  const issuing = server({
    audience: 'chat',
    issuer: 'http://127.0.0.1:3001',
    jwksUrl: 'http://127.0.0.1:3001/.well-known/jwks.json',
    keyFile,
    keyId: 'k1',
  })

  it('signs RS256 with the key file of the issuing server: iss, aud, sub, iat, exp and the extra claims', () => {
    const before = Math.floor(Date.now() / 1000)
    const {token} = devToken({claims: {email: 'a@example.com', level: 3}, dir: '.', sub: 'alice', ttlSeconds: 60}, [
      server(),
      issuing,
    ])
    const [header, body, signature] = token.split('.')
    assert.deepEqual(decode(header), {alg: 'RS256', kid: 'k1', typ: 'JWT'})
    const claims = decode(body)
    assert.equal(claims.iss, 'http://127.0.0.1:3001')
    assert.equal(claims.aud, 'chat')
    assert.equal(claims.sub, 'alice')
    assert.equal(claims.email, 'a@example.com')
    assert.equal(claims.level, 3)
    assert.ok((claims.exp as number) - (claims.iat as number) === 60 && (claims.iat as number) >= before)
    assert.ok(verify('sha256', Buffer.from(`${header}.${body}`), publicKey, Buffer.from(signature, 'base64url')))
  })

  it('says to start wsapi dev when none runs, and to use the real issuer when dev does not issue', () => {
    assert.throws(
      () => devToken({dir: '.', sub: 'a', ttlSeconds: 1}, []),
      (error: Error) => error instanceof UsageError && /start `wsapi dev`/.test(error.message),
    )
    assert.throws(() => devToken({dir: '.', sub: 'a', ttlSeconds: 1}, [server()]), /JwtIssuer parameter is not local/)
  })

  it('parses --claim name=value, keeping JSON values typed', () => {
    assert.deepEqual(parseClaim('email=a@example.com'), ['email', 'a@example.com'])
    assert.deepEqual(parseClaim('admin=true'), ['admin', true])
    assert.deepEqual(parseClaim('roles=["a","b"]'), ['roles', ['a', 'b']])
    assert.throws(() => parseClaim('=x'), UsageError)
  })
})
