import assert from 'node:assert/strict'

import {runCli} from '../helpers/cli.js'
import {connect, type DevProcess, probeProject, readRecords, startDev, tryConnect, waitForRecord} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

describe('wsapi dev: the $connect REQUEST authorizer (reference checklist 10, authorizer)', function () {
  this.timeout(60_000)
  let dev: DevProcess
  let records: string

  before(async () => {
    const project = probeProject({routes: [{authorized: true, key: '$connect'}, {key: '$disconnect'}, {key: '$default', twoWay: true}]})
    records = project.records
    dev = await startDev(project.dir)
  })

  after(async () => {
    await dev?.stop()
  })

  it('a missing identity source → 401 without calling the authorizer or $connect', async () => {
    const outcome = await tryConnect(dev.ready.url)
    assert.equal(outcome.ok ? 101 : outcome.status, 401)
    assert.equal(readRecords(records).length, 0)
  })

  it('"Unauthorized" thrown → 401; a Deny policy → 403; neither runs $connect', async () => {
    const thrown = await tryConnect(`${dev.ready.url}?token=throw`)
    assert.equal(thrown.ok ? 101 : thrown.status, 401)
    const denied = await tryConnect(`${dev.ready.url}?token=deny`)
    assert.equal(denied.ok ? 101 : denied.status, 403)
    assert.equal(readRecords(records).length, 0)
  })

  it('Allow → connected, and the context reaches $connect, messages and $disconnect as requestContext.authorizer', async () => {
    const client = await connect(`${dev.ready.url}?token=alice`)
    client.send('{"reply":"hi"}')
    assert.equal(await client.next(), 'hi')
    client.close()
    await waitForRecord(records, (record) => record.event.requestContext.eventType === 'DISCONNECT')
    const events = readRecords(records).map((record) => record.event.requestContext)
    assert.deepEqual(
      events.map((context) => context.eventType),
      ['CONNECT', 'MESSAGE', 'DISCONNECT'],
    )
    for (const context of events) {
      const authorizer = context.authorizer as Record<string, unknown>
      assert.equal(authorizer.principalId, 'user-alice')
      assert.equal(authorizer.who, 'alice')
      assert.equal(authorizer.n, '42', 'context values arrive as strings')
      assert.equal(authorizer.ok, 'true')
      assert.equal(typeof authorizer.integrationLatency, 'number')
    }
  })
})

describe('wsapi dev: the scaffolded token authorizer (`wsapi init --auth token`)', function () {
  this.timeout(60_000)
  const secret = 'local-secret-0123456789'
  let dev: DevProcess
  let dir: string

  before(async () => {
    dir = scaffoldProject({auth: 'token'})
    dev = await startDev(dir, ['--parameter', `AuthTokenSecret=${secret}`])
  })

  after(async () => {
    await dev?.stop()
  })

  it('accepts the secret from --parameter, refuses a wrong token with 403 and none with 401', async () => {
    const ok = await tryConnect(`${dev.ready.url}?token=${secret}`)
    assert.ok(ok.ok)
    const wrong = await tryConnect(`${dev.ready.url}?token=not-the-secret`)
    assert.equal(wrong.ok ? 101 : wrong.status, 403)
    const none = await tryConnect(dev.ready.url)
    assert.equal(none.ok ? 101 : none.status, 401)
    ok.client.send('{"message":"sendmessage","data":"authorized"}')
    assert.equal(await ok.client.next(), '"authorized"')
    ok.client.close()
  })

  it('without the parameter: one clear error naming it, exit 2', async () => {
    const result = await runCli(['dev', '--dir', dir, '--port', '0'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^Error: .*AuthTokenSecret.*--parameter AuthTokenSecret=/m)
    assert.equal(result.stderr.trim().split('\n').length, 1)
  })
})
