import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'

import {DEPRECATED_RUNTIMES, LAMBDA_RUNTIMES} from '../../../src/lib/project/index.js'
import {connectCommand, devCommand, templateContext} from '../../../src/lib/scaffold/context.js'
import {planProject, type RawInitOptions, resolveInitOptions} from '../../../src/lib/scaffold/index.js'

function plan(options: RawInitOptions = {}) {
  return planProject(resolveInitOptions({name: 'chat', ...options}))
}

function contextOf(raw: RawInitOptions = {}) {
  const warnings: string[] = []
  return {context: templateContext(resolveInitOptions({name: 'Chat', ...raw}), warnings), warnings}
}

describe('scaffold template context', () => {
  it('the dev and connect commands each auth mode works with, padded to one width for the README', () => {
    assert.equal(devCommand({auth: 'token'}), 'wsapi dev')
    assert.equal(connectCommand({auth: 'none'}), 'wsapi connect')
    assert.equal(connectCommand({auth: 'token'}), 'wsapi connect')
    assert.equal(connectCommand({auth: 'iam'}), 'wsapi connect --sigv4')
    assert.equal(connectCommand({auth: 'jwt'}), 'WSAPI_TOKEN="$(wsapi token --sub alice)" wsapi connect')
    const {context} = contextOf({auth: 'iam'})
    assert.equal(context.devCommand, 'wsapi dev            ')
    assert.equal(context.connectCommand, 'wsapi connect --sigv4')
    assert.equal(context.devScript, 'node scripts/wsapi.mjs dev')
  })

  it('turns the choices into flags the templates test: auth, billing, rate limit, fan-out, package name', () => {
    const {context} = contextOf({auth: 'jwt', billing: 'provisioned', rateLimit: '30/min', readCapacity: 7})
    assert.deepEqual(context.auth, {iam: false, jwt: true, lambda: true, none: false, token: false})
    assert.deepEqual(context.jwt, {audience: 'chat', issuer: 'local'})
    assert.deepEqual(context.billing, {onDemand: false, provisioned: true, read: 7, write: 5})
    assert.deepEqual(context.rateLimit, {burst: 1, rate: '30/m', text: '30 messages per minute, 1 at once'})
    assert.equal(context.packageName, 'chat')
    assert.deepEqual(context.fanout, {inlineMax: 250, postsPerSecond: 9000, shards: 16, timeout: 300})
    const off = contextOf({fanoutShards: 1, rateLimit: 'off', reservedConcurrency: 'none'}).context
    assert.deepEqual([off.fanout, off.rateLimit, off.reservedConcurrency, off.jwt], [false, false, false, false])
  })

  it("--rooms: each room route's example, and the first broadcast route's example addressed to a room and a connection", () => {
    const {context} = contextOf({rooms: true})
    assert.deepEqual(context.customRouteKeys, ['sendmessage', 'join', 'leave', 'whoami'])
    assert.ok(context.rooms)
    const rooms = context.rooms as Exclude<typeof context.rooms, boolean>
    assert.equal(rooms.joinExample, '{"message":"join","room":"lobby"}')
    assert.equal(rooms.roomExample, '{"message":"sendmessage","room":"lobby","data":"hello"}')
    assert.equal(rooms.toExample, '{"message":"sendmessage","to":"<connectionId>","data":"hello"}')
    assert.deepEqual(rooms.route, {file: 'sendmessage', key: 'sendmessage'})
    assert.equal(contextOf().context.rooms, false)
  })

  it('pins the versions the generated package.json names to those wsapi itself uses', () => {
    const {context} = contextOf()
    const own = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>
      devDependencies: Record<string, string>
    }
    const range = (name: string) => own.dependencies[name] ?? own.devDependencies[name]
    assert.equal(context.versions.typescript, range('typescript'))
    assert.equal(context.versions.awsSdk, range('@aws-sdk/client-dynamodb'))
    assert.equal(context.versions.mocha, range('mocha'))
    assert.match(context.deploymentDescription, /^Routes \$connect, \$disconnect, sendmessage, \$default$/)
  })

  it('warns about exactly the runtimes AWS Lambda has deprecated, naming the default', () => {
    for (const runtime of LAMBDA_RUNTIMES) {
      const warnings = plan({runtime}).warnings.filter((warning) => warning.includes('deprecated'))
      assert.deepEqual(
        warnings,
        DEPRECATED_RUNTIMES.includes(runtime) ? [`${runtime} is deprecated by AWS Lambda; prefer nodejs22.x.`] : [],
        runtime,
      )
    }
  })
})
