import {createPrivateKey, type KeyObject, sign} from 'node:crypto'

/** Claims wsapi puts in the tokens it issues as a local issuer (RFC 7519 registered claims, plus any given). */
export interface TokenClaims {
  [name: string]: unknown
  aud: string
  exp: number
  iat: number
  iss: string
  sub: string
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url')

/** An RS256 JWT (RFC 7515 compact serialization) signed with `privateKey`, naming `keyId` in its header. */
export function signJwt(claims: TokenClaims, privateKey: KeyObject | string, keyId: string): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey
  const signingInput = `${base64url(JSON.stringify({alg: 'RS256', kid: keyId, typ: 'JWT'}))}.${base64url(JSON.stringify(claims))}`
  return `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), key))}`
}
