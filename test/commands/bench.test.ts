import assert from 'node:assert/strict'

import {writeDevState} from '../../src/lib/project/state.js'
import {type BroadcastServer, type BroadcastServerOptions, startBroadcastServer} from '../helpers/broadcast-server.js'
import {runCli} from '../helpers/cli.js'
import {scaffoldProject} from '../helpers/project.js'
import {PtySession} from '../helpers/pty.js'
import {tempDir} from '../helpers/tmp.js'

/** Small fast runs: 10 clients, 2 senders × 3 messages = 60 deliveries expected; a timeout a busy machine meets 5 times over. */
const SMALL = [
  '--clients',
  '10',
  '--senders',
  '2',
  '--messages',
  '3',
  '--interval',
  '5',
  '--rate',
  '1000',
  '--timeout',
  '1500ms',
]

describe('wsapi bench', function () {
  this.timeout(60_000)
  const servers: BroadcastServer[] = []
  const server = async (options: BroadcastServerOptions = {}) => {
    const started = await startBroadcastServer(options)
    servers.push(started)
    return started
  }

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((started) => started.close()))
  })

  it('--json prints the whole result on stdout and exits 0 when nothing is lost', async () => {
    const target = await server()
    const result = await runCli(['bench', target.url, ...SMALL, '--json'])
    assert.equal(result.code, 0, result.stderr)
    const json = JSON.parse(result.stdout)
    assert.equal(json.source, 'argument')
    assert.equal(json.passed, true)
    assert.deepEqual(json.deliveries, {duplicates: 0, expected: 60, lost: 0, received: 60, unexpected: 0})
    assert.deepEqual(Object.keys(json.latency.first), ['count', 'max', 'mean', 'min', 'p50', 'p95', 'p99'])
    assert.equal(json.connections.connect.count, 10)
    assert.equal(target.received.length, 6)
  })

  it('prints a summary table, and no progress bar when stderr is not a terminal', async () => {
    const target = await server({duplicateEvery: 10})
    const result = await runCli(['bench', target.url, ...SMALL])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /Connections +10 of 10 open at 1000\/s · 0 failed · 0 dropped/)
    assert.match(result.stdout, /Messages +6 of 6 sent · 6 complete · 0 partial · 0 lost/)
    assert.match(result.stdout, /Deliveries +60 of 60 received \(100\.00 %\) · 0 lost · 6 duplicates/)
    assert.match(result.stdout, /Latency +count +p50 +p95 +p99 +max/)
    for (const row of ['Connect +10', 'First recipient +6', 'Last recipient +6', 'Each delivery +60']) {
      assert.match(result.stdout, new RegExp(`${row}( +[\\d.]+ ms){4}`))
    }

    assert.match(result.stdout, /✔ All 60 deliveries arrived\./)
    assert.doesNotMatch(result.stderr, /connecting|█/)
    assert.match(result.stderr, /--rate 1000 is above API Gateway's default quota of 500 new connections per second/)
  })

  it('--room NAME: the clients join first, messages go to the room, the summary names the room', async () => {
    const target = await server({rooms: {}})
    const result = await runCli(['bench', target.url, ...SMALL, '--room', 'lobby'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /Room +lobby: 10 of 10 joined/)
    assert.match(result.stdout, /each message should reach every member of the room, the sender included/)
    assert.match(result.stdout, /Deliveries +60 of 60 received \(100\.00 %\)/)
    assert.equal(target.rooms.get('lobby')?.size, 10)
    assert.ok(target.received.slice(10).every((text) => JSON.parse(text).room === 'lobby'))
    const json = JSON.parse(
      (await runCli(['bench', (await server({rooms: {}})).url, ...SMALL, '--room', 'lobby', '--json'])).stdout,
    )
    assert.deepEqual(json.room, {failures: {}, joined: 10, name: 'lobby', tried: 10})
    const bad = await runCli(['bench', target.url, ...SMALL, '--room', 'a b'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /--room: "a b" is not a room name/)
  })

  it('exits 1 with the result when a delivery is lost; --allow-loss exits 0', async () => {
    const target = await server({dropEvery: 9})
    const json = await runCli(['bench', target.url, ...SMALL, '--json'])
    assert.equal(json.code, 1, json.stderr)
    const parsed = JSON.parse(json.stdout)
    assert.equal(parsed.passed, false)
    assert.equal(parsed.deliveries.lost, 6)
    assert.deepEqual(parsed.problems, ['6 of 60 deliveries lost (6 of 6 messages did not reach every recipient)'])

    const human = await runCli(['bench', (await server({dropEvery: 9})).url, ...SMALL])
    assert.equal(human.code, 1)
    assert.match(human.stdout, /Deliveries +54 of 60 received \(90\.00 %\) · 6 lost/)
    assert.equal(
      human.stderr.trim().split('\n').at(-1),
      'Error: 6 of 60 deliveries lost (6 of 6 messages did not reach every recipient).',
    )

    const allowed = await runCli(['bench', (await server({dropEvery: 9})).url, ...SMALL, '--allow-loss'])
    assert.equal(allowed.code, 0, allowed.stderr)
    assert.match(allowed.stderr, /6 of 60 deliveries lost \(allowed by --allow-loss\)/)
  })

  it('exits 1 on error frames and on refused handshakes, naming them', async () => {
    const errors = await server({errorFrame: 'Endpoint request timed out'})
    const result = await runCli(['bench', errors.url, ...SMALL])
    assert.equal(result.code, 1)
    assert.match(result.stdout, /Error frames +6 \(Endpoint request timed out ×6\)/)
    assert.match(
      result.stderr,
      /^Error: 60 of 60 deliveries lost .*; 6 error frames \(Endpoint request timed out ×6\)\.$/m,
    )

    const refusing = await server({reject: {every: 5, status: 429}})
    const refused = await runCli(['bench', refusing.url, ...SMALL, '--json'])
    assert.equal(refused.code, 1)
    assert.deepEqual(JSON.parse(refused.stdout).connections.failures, {'HTTP 429': 2})

    const nobody = await server({reject: {every: 1, status: 403}})
    const none = await runCli(['bench', nobody.url, ...SMALL])
    assert.equal(none.code, 1)
    assert.match(
      none.stderr,
      /^Error: No client could connect to ws:\/\/127\.0\.0\.1:\d+\/v1 \(HTTP 403 ×10\): check the URL/m,
    )
  })

  it('sends --token as the token query string and --header on each handshake', async () => {
    const target = await server()
    const result = await runCli(['bench', target.url, ...SMALL, '--token', 's3cr3t', '-H', 'X-Bench: yes'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(target.handshakes.length, 10)
    assert.ok(
      target.handshakes.every(
        (handshake) => handshake.url === '/v1?token=s3cr3t' && handshake.headers['x-bench'] === 'yes',
      ),
    )
  })

  it('takes the token from WSAPI_TOKEN or --token-stdin as well, one way only, and masks it in the report', async () => {
    const target = await server()
    const fromEnv = await runCli(['bench', target.url, ...SMALL, '--json'], {env: {WSAPI_TOKEN: 'SUPERSECRETTOKEN123'}})
    assert.equal(fromEnv.code, 0, fromEnv.stderr)
    const fromStdin = await runCli(['bench', target.url, ...SMALL, '--token-stdin'], {input: 'SUPERSECRETTOKEN123\n'})
    assert.equal(fromStdin.code, 0, fromStdin.stderr)
    assert.ok(target.handshakes.every((handshake) => handshake.url === '/v1?token=SUPERSECRETTOKEN123'))
    assert.equal(target.handshakes.length, 20)
    assert.equal(JSON.parse(fromEnv.stdout).settings.url, `${target.url}?token=***`)
    assert.match(fromStdin.stdout, /token=\*\*\*/)
    for (const result of [fromEnv, fromStdin])
      assert.ok(!`${result.stdout}${result.stderr}`.includes('SUPERSECRETTOKEN123'))

    const twice = await runCli(['bench', target.url, ...SMALL, '--token-stdin'], {env: {WSAPI_TOKEN: 'x'}, input: 'y'})
    assert.equal(twice.code, 2)
    assert.equal(twice.stderr, 'Error: The token is given 2 ways (WSAPI_TOKEN, --token-stdin): give it one way only.\n')
  })

  it("defaults to the project's running wsapi dev, with the template's route field and route", async () => {
    const dir = scaffoldProject({routes: 'chat,join', routeSelection: '$request.body.action'})
    const target = await server({route: 'chat', routeField: 'action'})
    // This test process stands in for the dev server: the state file names a live pid.
    writeDevState(dir, {
      managementEndpoint: '',
      pageUrl: '',
      pid: process.pid,
      stage: 'v1',
      startedAt: new Date().toISOString(),
      url: target.url,
    })
    const result = await runCli(['bench', ...SMALL, '--json'], {cwd: dir})
    assert.equal(result.code, 0, result.stderr)
    const json = JSON.parse(result.stdout)
    assert.equal(json.source, 'dev')
    assert.deepEqual([json.settings.route, json.settings.routeField], ['chat', 'action'])
    assert.equal(JSON.parse(target.received[0]).action, 'chat')

    const overridden = await server({route: 'join', routeField: 'kind'})
    const explicit = await runCli(
      ['bench', overridden.url, ...SMALL, '--route', 'join', '--route-field', 'kind', '--json'],
      {cwd: dir},
    )
    assert.equal(explicit.code, 0, explicit.stderr)
    assert.equal(JSON.parse(explicit.stdout).source, 'argument')
    assert.deepEqual(Object.keys(JSON.parse(overridden.received[0])), ['kind', 'data'])
  })

  it('with two dev servers running in the project, benches the one started last and says which', async () => {
    const dir = scaffoldProject()
    const older = await server()
    const newer = await server()
    // The test runner's parent process stands in for the second live dev server.
    writeDevState(dir, {
      managementEndpoint: '',
      pageUrl: '',
      pid: process.ppid,
      stage: 'v1',
      startedAt: '2026-01-01T00:00:00.000Z',
      url: older.url,
    })
    writeDevState(dir, {
      managementEndpoint: '',
      pageUrl: '',
      pid: process.pid,
      stage: 'v1',
      startedAt: '2026-01-01T00:00:05.000Z',
      url: newer.url,
    })
    const result = await runCli(['bench', ...SMALL, '--json'], {cwd: dir})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(JSON.parse(result.stdout).settings.url, newer.url)
    assert.ok(
      result.stderr.includes(
        `2 wsapi dev servers run in this project: using the one started last (pid ${process.pid}, ${newer.url}); pid ${process.ppid} serves ${older.url}`,
      ),
      result.stderr,
    )
    assert.equal(older.received.length, 0)
  })

  it('rejects bad usage with one line and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['ws://127.0.0.1:1/v1', '--clients', '2', '--senders', '3'],
        /^Error: --senders 3 is more than --clients 2: senders are some of the clients\.$/,
      ],
      [
        ['ws://127.0.0.1:1/v1', '--timeout', '0'],
        /^Error: Invalid --timeout: give a positive duration such as 500ms, 30s, 10m or 2h \(a bare number is seconds\), not "0" \(see --help\)$/,
      ],
      [
        ['ws://127.0.0.1:1/v1', '--interval', '5x'],
        /^Error: Invalid --interval: give a duration such as 500ms, 30s, 10m or 2h \(a bare number is milliseconds\), not "5x" \(see --help\)$/,
      ],
      [
        ['ws://127.0.0.1:1/v1', '--clients', '0'],
        /^Error: Invalid --clients: Expected an integer greater than or equal to 1 but received: 0 \(see --help\)$/,
      ],
      [
        ['ws://127.0.0.1:1/v1', '--expect', 'some'],
        /^Error: Expected --expect=some to be one of: all, others \(see --help\)$/,
      ],
      [
        ['ws://127.0.0.1:1/v1', '-H', 'nocolon'],
        /^Error: Invalid header "nocolon": write it as "Name: value", e\.g\. -H "Authorization: Bearer abc"\.$/,
      ],
      [['ws://127.0.0.1:1/v1', '--route-field', 'a b'], /^Error: Invalid --route-field "a b"/],
      [['ftp://x'], /^Error: Invalid URL "ftp:\/\/x": the scheme must be ws:\/\/ or wss:\/\/\.$/],
      [[], /^Error: No URL given and no template\.yaml in .*: pass a URL/],
    ]
    const cwd = tempDir()
    for (const [args, message] of cases) {
      const result = await runCli(['bench', ...args], {cwd})
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr.trim(), message)
    }
  })

  it('draws a progress bar in a terminal', async () => {
    const target = await server()
    const session = new PtySession([
      'bench',
      target.url,
      '--clients',
      '40',
      '--rate',
      '100',
      '--messages',
      '3',
      '--interval',
      '100',
    ])
    try {
      await session.expect(/█*░+ +\d+% connecting \d+\/40 clients/)
      assert.equal(await session.waitForExit(), 0, session.text)
      assert.match(session.text, /All 120 deliveries arrived/)
    } finally {
      session.kill()
    }
  })
})
