import assert from 'node:assert/strict'
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {
  connect,
  type DevProcess,
  probeProject,
  readRecords,
  startDev,
  tryConnect,
  waitForRecord,
} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

describe('wsapi dev: the $connect REQUEST authorizer (reference checklist 10, authorizer)', function () {
  this.timeout(60_000)
  let dev: DevProcess
  let records: string

  before(async () => {
    const project = probeProject({
      routes: [{authorized: true, key: '$connect'}, {key: '$disconnect'}, {key: '$default', twoWay: true}],
    })
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

describe('wsapi dev: the scaffolded token authorizer (`wsapi init --auth token`), its token in the emulated Secrets Manager', function () {
  this.timeout(60_000)
  const secret = 'local-secret-0123456789'
  const devs: DevProcess[] = []

  afterEach(async () => {
    await Promise.all(devs.splice(0).map((dev) => dev.stop()))
  })

  it('a token given in WSAPI_PARAMETER_AuthTokenSecret: the authorizer reads it with GetSecretValue; wrong → 403, none → 401', async () => {
    const dir = scaffoldProject({auth: 'token'})
    const dev = await startDev(dir, [], {WSAPI_PARAMETER_AuthTokenSecret: secret})
    devs.push(dev)
    assert.ok(!dev.child.spawnargs.join(' ').includes(secret), 'not on the command line')
    const ok = await tryConnect(`${dev.ready.url}?token=${secret}`)
    assert.ok(ok.ok)
    const wrong = await tryConnect(`${dev.ready.url}?token=not-the-secret`)
    assert.equal(wrong.ok ? 101 : wrong.status, 403)
    const none = await tryConnect(dev.ready.url)
    assert.equal(none.ok ? 101 : none.status, 401)
    ok.client.send('{"message":"sendmessage","data":"authorized"}')
    assert.equal(await ok.client.next(), '"authorized"')
    ok.client.close()
    assert.ok(
      !existsSync(join(dir, '.wsapi/dev-secrets.json')) ||
        !readFileSync(join(dir, '.wsapi/dev-secrets.json'), 'utf8').includes(secret),
    )
  })

  it('a token given on standard input (--parameter-stdin AuthTokenSecret)', async () => {
    const dir = scaffoldProject({auth: 'token'})
    const dev = await startDev(dir, ['--parameter-stdin', 'AuthTokenSecret'], {}, `${secret}\n`)
    devs.push(dev)
    assert.deepEqual(dev.ready.secrets, [{generated: false, logicalId: 'AuthToken', name: 'chat-v1-AuthToken'}])
    const ok = await tryConnect(`${dev.ready.url}?token=${secret}`)
    assert.ok(ok.ok)
    ok.client.close()
    const twice = await runCli(['dev', '--dir', dir, '--port', '0', '--parameter', `AuthTokenSecret=${secret}`], {
      env: {WSAPI_PARAMETER_AuthTokenSecret: secret},
    })
    assert.equal(twice.code, 2)
    assert.equal(
      twice.stderr,
      'Error: AuthTokenSecret is given by --parameter and by WSAPI_PARAMETER_AuthTokenSecret: give it one way only.\n',
    )
  })

  it('no token given: one is generated and stored (0600) in .wsapi/dev-secrets.json; wsapi connect and bench in the project use it', async () => {
    const dir = scaffoldProject({auth: 'token'})
    const dev = await startDev(dir)
    devs.push(dev)
    assert.deepEqual(dev.ready.secrets, [{generated: true, logicalId: 'AuthToken', name: 'chat-v1-AuthToken'}])
    const file = join(dir, '.wsapi/dev-secrets.json')
    assert.equal(statSync(file).mode & 0o777, 0o600)
    const token = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>).AuthToken
    assert.match(token, /^[A-Za-z0-9]{40}$/)
    assert.ok(!dev.stdout.includes(token) && !dev.stderr.includes(token), 'never printed')

    const refused = await tryConnect(`${dev.ready.url}?token=${token}x`)
    assert.equal(refused.ok ? 101 : refused.status, 403)
    const chat = await runCli(
      ['connect', '-x', '{"message":"sendmessage","data":"with the dev token"}', '--count', '1', '--timeout', '30'],
      {cwd: dir},
    )
    assert.equal(chat.code, 0, chat.stderr)
    assert.equal(chat.stdout, '"with the dev token"\n')
    assert.match(chat.stderr, /token=\*\*\*/)
    assert.ok(!chat.stderr.includes(token))
    const bench = await runCli(['bench', '--clients', '2', '--messages', '1', '--json'], {cwd: dir})
    assert.equal(bench.code, 0, bench.stderr)
    assert.equal(JSON.parse(bench.stdout).settings.url, `${dev.ready.url}?token=***`)

    // An edited template.yaml that now gives the token: the authorizer, cold again after the reload, reads the new value.
    const template = join(dir, 'template.yaml')
    writeFileSync(template, readFileSync(template, 'utf8').replace("    Default: ''\n", `    Default: '${secret}'\n`))
    await dev.waitForLog(/Reloaded template\.yaml in \d+ ms/)
    const reloaded = await tryConnect(`${dev.ready.url}?token=${secret}`)
    assert.ok(reloaded.ok)
    reloaded.client.close()
    const old = await tryConnect(`${dev.ready.url}?token=${token}`)
    assert.equal(old.ok ? 101 : old.status, 403)
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {}, 'a given value is not stored')

    // Another URL never gets the dev token.
    const elsewhere = await runCli(
      ['connect', dev.ready.url.replace('127.0.0.1', 'localhost'), '-x', 'x', '--count', '1', '--timeout', '30'],
      {cwd: dir},
    )
    assert.equal(elsewhere.code, 1)
    assert.match(elsewhere.stderr, /HTTP 401/)
  })
})
