import assert from 'node:assert/strict'
import {generateKeyPairSync} from 'node:crypto'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {get} from 'node:http'
import {join} from 'node:path'

import {signJwt, type TokenClaims} from '../../src/lib/auth/jwt.js'
import type {DevServerState} from '../../src/lib/project/index.js'
import {runCli} from '../helpers/cli.js'
import {type DevProcess, startDev, tryConnect} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

/** A $default that answers with what the authorizer put in requestContext.authorizer, to see it reach later events. */
const WHOAMI_DEFAULT = `import type {WebSocketEvent, WebSocketResult} from '../runtime/types.js'

export async function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  return {body: JSON.stringify(event.requestContext.authorizer), statusCode: 200}
}
`

describe('wsapi dev as the JWT issuer of `wsapi init --auth jwt` (JwtIssuer local), wsapi token, connect --token', function () {
  this.timeout(120_000)
  let dev: DevProcess
  let dir: string
  let record: DevServerState

  const token = async (...args: string[]) => {
    const result = await runCli(['token', '--dir', dir, ...args])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'stdout holds the token alone')
    return result.stdout.trim()
  }

  /** A token signed with dev's own key (read from its 0600 file), with some claims changed. */
  const forged = (claims: Partial<TokenClaims>, key?: string) => {
    const issuer = record.jwtIssuer!
    const now = Math.floor(Date.now() / 1000)
    return signJwt(
      {aud: issuer.audience, exp: now + 300, iat: now, iss: issuer.issuer, sub: 'mallory', ...claims},
      key ?? readFileSync(issuer.keyFile, 'utf8'),
      issuer.keyId,
    )
  }

  const status = async (url: string, protocols?: string[]) => {
    const outcome = await tryConnect(url, {protocols})
    if (outcome.ok) outcome.client.close()
    return outcome.ok ? 101 : outcome.status
  }

  before(async () => {
    dir = scaffoldProject({auth: 'jwt'})
    writeFileSync(join(dir, 'src/handlers/default.ts'), WHOAMI_DEFAULT)
    dev = await startDev(dir)
    const pid = dev.ready.pid
    record = JSON.parse(readFileSync(join(dir, '.wsapi', 'dev', `${pid}.json`), 'utf8')) as DevServerState
  })

  after(async () => {
    await dev?.stop()
  })

  it('records its issuer, audience and JWKS URL, and keeps the private key in a file only this user can read', async () => {
    assert.equal(record.jwtIssuer?.issuer, `http://127.0.0.1:${dev.ready.port}`)
    assert.equal(record.jwtIssuer?.audience, 'chat')
    assert.equal(statSync(record.jwtIssuer!.keyFile).mode & 0o777, 0o600)
    assert.doesNotMatch(readFileSync(join(dir, '.wsapi', 'dev', `${dev.ready.pid}.json`), 'utf8'), /PRIVATE KEY/)
    const jwks = (await (await fetch(record.jwtIssuer!.jwksUrl)).json()) as {keys: Array<Record<string, unknown>>}
    assert.deepEqual(
      jwks.keys.map((key) => [key.kid, key.alg, key.kty, 'd' in key]),
      [[record.jwtIssuer!.keyId, 'RS256', 'RSA', false]],
    )
    // Under the Host check of every dev endpoint: a page of another site (DNS rebinding) gets nothing.
    const foreign = await new Promise<number>((resolve, reject) => {
      get(record.jwtIssuer!.jwksUrl, {headers: {host: 'attacker.example'}}, (response) => {
        response.resume()
        resolve(response.statusCode!)
      }).on('error', reject)
    })
    assert.equal(foreign, 403)
  })

  it('a token from `wsapi token` in Sec-WebSocket-Protocol connects (bearer echoed), and its sub and claims reach later events', async () => {
    const alice = await token('--sub', 'alice', '--claim', 'email=alice@example.com')
    const outcome = await tryConnect(dev.ready.url, {protocols: ['bearer', alice]})
    assert.ok(outcome.ok, outcome.ok ? '' : `${outcome.status} ${outcome.body}`)
    assert.equal(outcome.protocol, 'bearer')
    outcome.client.send('{"message":"whoami"}')
    const authorizer = JSON.parse(await outcome.client.next()) as Record<string, unknown>
    assert.equal(authorizer.principalId, 'alice')
    assert.equal(authorizer.sub, 'alice')
    assert.equal(authorizer.email, 'alice@example.com')
    outcome.client.close()
  })

  it('--ttl takes a duration like every duration flag (a bare number is seconds); the default is 1h', async () => {
    const lifetime = (jwt: string) => {
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as {exp: number; iat: number}
      return claims.exp - claims.iat
    }

    assert.equal(lifetime(await token('--sub', 'bob', '--ttl', '90s')), 90)
    assert.equal(lifetime(await token('--sub', 'bob', '--ttl', '120')), 120)
    assert.equal(lifetime(await token('--sub', 'bob')), 3600)
  })

  it('a token in the token query string connects too', async () => {
    assert.equal(await status(`${dev.ready.url}?token=${await token('--sub', 'bob')}`), 101)
  })

  it('refuses with 401: no token, garbage, expired, another audience, another issuer, another key, alg none', async () => {
    const now = Math.floor(Date.now() / 1000)
    const otherKey = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    }) as string
    const [, body, signature] = forged({}).split('.')
    const none = `${Buffer.from(JSON.stringify({alg: 'none', kid: record.jwtIssuer!.keyId})).toString('base64url')}.${body}.${signature}`
    const cases: Array<[string, string | undefined]> = [
      ['no token', undefined],
      ['garbage', 'not-a-token'],
      ['expired', forged({exp: now - 3600, iat: now - 7200})],
      ['another audience', forged({aud: 'someone-else'})],
      ['another issuer', forged({iss: 'https://issuer.example.com'})],
      ['another key', forged({}, otherKey)],
      ['alg none', none],
    ]
    for (const [name, bad] of cases) {
      assert.equal(await status(dev.ready.url, bad === undefined ? undefined : ['bearer', bad]), 401, name)
    }

    assert.equal(
      await status(dev.ready.url, ['bearer', forged({})]),
      101,
      'the same forging with the right claims is accepted',
    )
  })

  it('`wsapi connect --token` sends the token the way the template expects, and `wsapi bench --token` too', async () => {
    const alice = await token('--sub', 'alice')
    const chat = await runCli([
      'connect',
      '--dir',
      dir,
      '--token',
      alice,
      '-x',
      '{"message":"whoami"}',
      '--count',
      '1',
      '-t',
      '60',
    ])
    assert.equal(chat.code, 0, chat.stderr)
    assert.match(chat.stdout, /"principalId":\s*"alice"/)
    // In Sec-WebSocket-Protocol, not the URL: the server answered with the bearer subprotocol.
    assert.match(chat.stdout + chat.stderr, /subprotocol bearer/)
    // As init's next steps say: WSAPI_TOKEN="$(wsapi token --sub alice)" wsapi connect
    const fromEnvironment = await runCli(
      ['connect', '--dir', dir, '-x', '{"message":"whoami"}', '--count', '1', '-t', '60'],
      {env: {WSAPI_TOKEN: alice}},
    )
    assert.equal(fromEnvironment.code, 0, fromEnvironment.stderr)
    assert.match(fromEnvironment.stdout, /"principalId":\s*"alice"/)
    const refused = await runCli(['connect', '--dir', dir, '--token', 'not-a-token', '-x', 'hi', '-t', '60'])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /401/)
    assert.doesNotMatch(refused.stderr, /not-a-token/)
    const bench = await runCli(
      ['bench', '--dir', dir, '--token', alice, '--clients', '2', '--senders', '1', '--messages', '2', '--json'],
      {timeoutMs: 90_000},
    )
    assert.equal(bench.code, 0, bench.stderr)
  })

  it('`wsapi token` without a running issuer: one line saying to start wsapi dev, exit 2', async () => {
    const other = scaffoldProject({auth: 'jwt'})
    const result = await runCli(['token', '--dir', other, '--sub', 'alice'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^Error: No wsapi dev runs in this project: start `wsapi dev`/)
    assert.equal(result.stdout, '')
  })
})
