import {createHash, generateKeyPairSync, type KeyObject} from 'node:crypto'
import {mkdirSync, openSync, rmSync, writeSync, closeSync} from 'node:fs'
import {dirname} from 'node:path'

/**
 * `wsapi dev` as the issuer of a jwt project whose JwtIssuer parameter is `local`: a key pair made at
 * start-up, its public half served as a JWKS and handed to the authorizer (JWT_JWKS), its private half
 * written to a file only this user can read, from which `wsapi token` signs.
 */
export interface LocalIssuerInfo {
  /** The aud of the tokens (the template's audience parameter). */
  audience: string
  /** The iss of the tokens: this server's http://host:port. */
  issuer: string
  /** Where the JWKS is served (loopback, the same Host check as every dev endpoint). */
  jwksUrl: string
  keyId: string
  /** The PEM file (mode 0600) holding the private key. */
  keyFile: string
}

/** What a jwt project's template says about its authorizer (Metadata.wsapi.auth). */
export interface JwtAuthMetadata {
  audienceParameter: string
  issuerParameter: string
  tokenProtocol?: string
  type: 'jwt'
}

export const LOCAL_ISSUER = 'local'
export const JWKS_PATH = '/.well-known/jwks.json'
export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration'

export function jwtAuthMetadata(template: {Metadata?: Record<string, unknown>}): JwtAuthMetadata | undefined {
  const auth = (template.Metadata?.wsapi as {auth?: Partial<JwtAuthMetadata>} | undefined)?.auth
  if (auth?.type !== 'jwt' || typeof auth.issuerParameter !== 'string' || typeof auth.audienceParameter !== 'string')
    return undefined
  return auth as JwtAuthMetadata
}

export class LocalIssuer {
  readonly jwks: {keys: Array<Record<string, unknown>>}
  readonly keyId: string
  private readonly privateKey: KeyObject

  constructor() {
    const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    this.privateKey = privateKey
    const jwk = publicKey.export({format: 'jwk'})
    // RFC 7638 thumbprint as the key id.
    this.keyId = createHash('sha256')
      .update(JSON.stringify({e: jwk.e, kty: jwk.kty, n: jwk.n}))
      .digest('base64url')
    this.jwks = {keys: [{...jwk, alg: 'RS256', kid: this.keyId, use: 'sig'}]}
  }

  /** Writes the private key where only this user can read it (created 0600, never widened). */
  writeKey(path: string): void {
    mkdirSync(dirname(path), {mode: 0o700, recursive: true})
    rmSync(path, {force: true})
    const fd = openSync(path, 'wx', 0o600)
    try {
      writeSync(fd, this.privateKey.export({format: 'pem', type: 'pkcs8'}) as string)
    } finally {
      closeSync(fd)
    }
  }

  openIdConfiguration(issuer: string): Record<string, unknown> {
    return {id_token_signing_alg_values_supported: ['RS256'], issuer, jwks_uri: `${issuer}${JWKS_PATH}`}
  }
}
