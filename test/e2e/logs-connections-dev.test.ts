import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {BIN, REPO_ROOT, runCli} from '../helpers/cli.js'
import {connect, type DevProcess, sleep, startDev, type TestClient} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

interface Line {
  function: string
  level?: string
  logicalId?: string
  message: string
  source: string
  time: string
}

const parseLines = (stdout: string): Line[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line)

/** Waits until `check` holds, polling; fails after `timeoutMs` (generous: a busy machine is slow). */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

describe('wsapi logs and wsapi connections against wsapi dev', function () {
  this.timeout(180_000)
  let dir: string
  let dev: DevProcess
  const clients: TestClient[] = []

  before(async () => {
    dir = scaffoldProject()
    dev = await startDev(dir)
  })

  after(async () => {
    for (const client of clients) client.close()
    await dev?.stop('SIGKILL')
  })

  it('connections lists the open connections with connectedAt; post reaches one; drop closes it; then it is gone (exit 1)', async () => {
    const before = Date.now()
    const first = await connect(dev.ready.url)
    const second = await connect(dev.ready.url)
    clients.push(first, second)

    const listed = await until('both connections in the table', async () => {
      const result = await runCli(['connections', '--dir', dir, '--json'])
      assert.equal(result.code, 0, result.stderr)
      const parsed = JSON.parse(result.stdout) as {
        connections: Array<{connectedAt: string; connectionId: string}>
        source: string
      }
      return parsed.connections.length === 2 ? parsed : undefined
    })
    assert.equal(listed.source, 'dev')
    for (const row of listed.connections) {
      assert.match(row.connectionId, /^[\w+/=-]+$/)
      const at = Date.parse(row.connectedAt)
      assert.ok(at >= before - 1000 && at <= Date.now(), row.connectedAt)
    }

    const text = await runCli(['connections', '--dir', dir])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /Connection\s+Connected at/)
    for (const row of listed.connections) assert.ok(text.stdout.includes(row.connectionId), text.stdout)
    assert.match(text.stdout, /2 connections on wsapi dev \(pid \d+\)/)

    // Which listed id is which client: post to each and see who receives.
    const [a, b] = listed.connections.map((row) => row.connectionId)
    const posted = await runCli(['connections', 'post', a, 'hello from the operator', '--dir', dir, '--json'])
    assert.equal(posted.code, 0, posted.stderr)
    assert.deepEqual(JSON.parse(posted.stdout), {bytes: 23, connectionId: a, sent: true})
    const receiver = await until('the posted message', () =>
      [first, second].find((client) => client.messages.length > 0),
    )
    assert.deepEqual(receiver.messages, ['hello from the operator'])
    receiver.messages.length = 0
    const other = receiver === first ? second : first

    const piped = await runCli(['connections', 'post', b, '-', '--dir', dir], {input: '{"from":"stdin"}'})
    assert.equal(piped.code, 0, piped.stderr)
    assert.match(
      piped.stdout,
      new RegExp(`Sent 16 bytes to ${b.replaceAll(/[+/=]/g, '\\$&')} \\(wsapi dev \\(pid \\d+\\)\\)`),
    )
    assert.equal(await other.next(20_000), '{"from":"stdin"}')

    const dropped = await runCli(['connections', 'drop', a, '--dir', dir])
    assert.equal(dropped.code, 0, dropped.stderr)
    assert.match(dropped.stdout, new RegExp(`Closed ${a.replaceAll(/[+/=]/g, '\\$&')}`))
    await receiver.closed
    assert.equal(other.ws.readyState, other.ws.OPEN, 'the other connection stays open')

    const gone = await runCli(['connections', 'post', a, 'anyone?', '--dir', dir])
    assert.equal(gone.code, 1, gone.stderr)
    assert.equal(gone.stderr.trim(), `Error: connection ${a} is gone`)
    const goneDrop = await runCli(['connections', 'drop', a, '--dir', dir, '--json'])
    assert.equal(goneDrop.code, 1)
    assert.equal(JSON.parse(goneDrop.stdout).error.message, `connection ${a} is gone`)

    const after = await until('the dropped connection out of the table', async () => {
      const parsed = JSON.parse((await runCli(['connections', '--dir', dir, '--json'])).stdout) as {
        connections: Array<{connectionId: string}>
      }
      return parsed.connections.length === 1 ? parsed : undefined
    })
    assert.equal(after.connections[0].connectionId, b)
  })

  it('logs shows what dev logged (also written to .wsapi/dev.log), filtered by function, --filter and --since; --json is NDJSON', async () => {
    const client = await connect(dev.ready.url)
    clients.push(client)
    client.send(JSON.stringify({data: 'logged words', message: 'sendmessage'}))
    assert.match(await client.next(20_000), /logged words/)
    const logFile = join(dir, '.wsapi', 'dev.log')
    await until(
      'the sendmessage console line in dev.log',
      () =>
        existsSync(logFile) && /"function":"SendmessageFunction"[^\n]*"text":"\{/.test(readFileSync(logFile, 'utf8')),
    )

    const all = await runCli(['logs', '--dir', dir, '--json'])
    assert.equal(all.code, 0, all.stderr)
    const lines = parseLines(all.stdout)
    assert.ok(lines.every((line) => line.source === 'dev'))
    assert.ok(
      lines.some((line) => line.function === 'connect' && line.logicalId === 'ConnectFunction'),
      all.stdout,
    )
    const handlerLine = lines.find((line) => line.function === 'sendmessage' && line.message.startsWith('{'))
    assert.ok(handlerLine, all.stdout)
    // The broadcast's summary line, also a CloudWatch metrics record (embedded metric format): {"_aws":…,"Route":…}.
    assert.equal((JSON.parse(handlerLine.message) as {Route: string}).Route, 'sendmessage')
    const times = lines.map((line) => Date.parse(line.time))
    assert.deepEqual(
      times,
      [...times].sort((x, y) => x - y),
      'in time order',
    )

    const one = parseLines((await runCli(['logs', 'sendmessage', '--dir', dir, '--json'])).stdout)
    assert.ok(one.length > 0 && one.every((line) => line.function === 'sendmessage'))
    const byRoute = parseLines((await runCli(['logs', '$connect', '--dir', dir, '--json'])).stdout)
    assert.ok(byRoute.length > 0 && byRoute.every((line) => line.logicalId === 'ConnectFunction'))

    const filtered = parseLines(
      (await runCli(['logs', '--dir', dir, '--json', '--filter', '{ $.Route = "sendmessage" }'])).stdout,
    )
    assert.ok(
      filtered.length > 0 && filtered.every((line) => JSON.parse(line.message).Route === 'sendmessage'),
      JSON.stringify(filtered),
    )

    const future = parseLines(
      (await runCli(['logs', '--dir', dir, '--json', '--since', new Date(Date.now() + 3_600_000).toISOString()]))
        .stdout,
    )
    assert.deepEqual(future, [])

    const text = await runCli(['logs', 'sendmessage', '--dir', dir])
    assert.match(text.stdout, /^\d{2}:\d{2}:\d{2}\.\d{3} sendmessage +INFO +\{"_aws":\{[^\n]*"Route":"sendmessage"/m)

    const unknown = await runCli(['logs', 'nope', '--dir', dir])
    assert.equal(unknown.code, 2)
    assert.match(
      unknown.stderr.trim(),
      /^Error: No function "nope" in this project: name one of connect \(\$connect\), disconnect \(\$disconnect\), sendmessage \(sendmessage\), default \(\$default\), fanout, by short name, logical id or route key\.$/,
    )
  })

  it('logs --follow prints new lines as dev writes them, until Ctrl-C (exit 0)', async () => {
    const start = new Date().toISOString()
    const child = spawn(
      process.execPath,
      [BIN, 'logs', 'sendmessage', '--dir', dir, '--json', '--follow', '--since', start],
      {
        cwd: REPO_ROOT,
        env: {...process.env, NO_COLOR: '1'},
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    const client = await connect(dev.ready.url)
    clients.push(client)
    // Lines since the follower started: sent until one shows (it may start reading after the first was written).
    await until('a followed line', async () => {
      if (stdout.includes('\n')) return true
      client.send(JSON.stringify({data: 'followed', message: 'sendmessage'}))
      await client.next(20_000)
      return stdout.includes('\n') ? true : undefined
    })
    const followed = parseLines(stdout.slice(0, stdout.lastIndexOf('\n')))
    assert.ok(
      followed.every((line) => line.function === 'sendmessage' && line.time >= start),
      stdout,
    )
    child.kill('SIGINT')
    assert.equal(await exited, 0)
  })

  it('after dev stops, logs still shows what it logged; connections says there is nothing to list and what to do (exit 1)', async () => {
    assert.equal(await dev.stop('SIGINT'), 0)
    const lines = parseLines((await runCli(['logs', '--dir', dir, '--json', '--since', '1h'])).stdout)
    assert.ok(lines.some((line) => line.function === 'sendmessage' && line.source === 'dev'))
    const listed = await runCli(['connections', '--dir', dir])
    assert.equal(listed.code, 1)
    assert.equal(
      listed.stderr,
      'Error: No wsapi dev runs in this project and stage v1 was not deployed from here: start `wsapi dev`, or pass --stage (or --region) for a deployed stage.\n',
    )

    const fresh = scaffoldProject()
    const nothing = await runCli(['logs', '--dir', fresh])
    assert.equal(nothing.code, 1)
    assert.equal(
      nothing.stderr,
      "Error: No log to show: `wsapi dev` never ran in this project and stage v1 was not deployed from here: start `wsapi dev`, or pass --stage (or --region) to read a deployed stage's logs.\n",
    )
  })
})
