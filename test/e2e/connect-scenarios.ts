import assert from 'node:assert/strict'

import {runCli, startCli} from '../helpers/cli.js'
import {PtySession} from '../helpers/pty.js'
import {lastLines} from '../helpers/screen.js'
import {tempDir} from '../helpers/tmp.js'
import {testClient} from '../helpers/ws-servers.js'

/**
 * `wsapi connect` against something that behaves like a generated project (`wsapi init --yes`) behind
 * API Gateway. The same scenarios run against the ws fake (test/e2e/connect.test.ts) and are meant to
 * run against `wsapi dev` too: a backend is a running server plus the project folder whose template
 * (route selection `$request.body.message`, route `sendmessage`) and `.wsapi/dev/<pid>.json` point at it, so
 * `wsapi connect` run in that folder needs no URL and no route flags.
 */
export interface ChatBackend {
  close(): Promise<void>
  /** The project folder; `wsapi connect` run there resolves the URL and the route by itself. */
  projectDir: string
  url: string
}

export interface BackendOptions {
  /** Scaffold `--auth token` with this secret (the template wants at least 16 characters). */
  authToken?: string
  /** Scaffold `--no-default-route` when false. */
  defaultRoute?: boolean
  /** Add a custom route `boom` whose Lambda throws (API Gateway answers it with "Internal server error"). */
  throwingRoute?: boolean
}

export type StartBackend = (options?: BackendOptions) => Promise<ChatBackend>

/** `wsapi connect …` in the project folder, with a private history folder. */
export function connect(backend: ChatBackend, args: string[], input?: string) {
  return runCli(['connect', ...args], {cwd: backend.projectDir, env: {WSAPI_STATE_DIR: tempDir()}, input})
}

export function connectPty(
  backend: ChatBackend,
  args: string[] = [],
  options: {cols?: number; env?: NodeJS.ProcessEnv} = {},
): PtySession {
  return new PtySession(['connect', ...args], {
    cols: options.cols,
    cwd: backend.projectDir,
    env: {WSAPI_STATE_DIR: tempDir(), ...options.env},
  })
}

/** Waits for the banner and the prompt after it: keys typed earlier would be echoed by the terminal, not read by the prompt. */
export async function promptReady(pty: PtySession): Promise<void> {
  await pty.expect(/Ctrl-D to quit\.\s*\n> /)
}

export function ndjson(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

/**
 * `wsapi connect …` in the project folder, its --json records read as they come, until `done` says enough
 * has been seen; then it is stopped (SIGINT) and the records seen are returned.
 */
async function connectUntil(
  backend: ChatBackend,
  args: string[],
  done: (records: Array<Record<string, unknown>>) => boolean,
): Promise<Array<Record<string, unknown>>> {
  const running = startCli(['connect', ...args], {cwd: backend.projectDir, env: {WSAPI_STATE_DIR: tempDir()}})
  const complete = (stdout: string) => ndjson(stdout.slice(0, stdout.lastIndexOf('\n') + 1))
  try {
    await running.until(({stdout}) => done(complete(stdout)))
    return complete(running.stdout)
  } finally {
    running.child.kill('SIGINT')
    await running.result
  }
}

export function chatScenarios(start: StartBackend): void {
  let backend: ChatBackend | undefined
  const open = async (options?: BackendOptions) => {
    backend = await start(options)
    return backend
  }

  afterEach(async () => {
    await backend?.close()
    backend = undefined
  })

  it('interactive: a typed line is broadcast to a second client, whose message shows up above the prompt', async () => {
    const server = await open()
    const bob = await testClient(server.url)
    const pty = connectPty(server)
    await pty.expect(/Connected to ws:\/\/.*\(wsapi dev\)/)
    await pty.expect(/Lines are sent as \{"message":"sendmessage","data":"<line>"\}/)
    await promptReady(pty)
    pty.write('hello from alice\r')
    assert.equal(await bob.next(), '"hello from alice"')
    await pty.expect(/< "hello from alice"/)
    bob.send('{"message":"sendmessage","data":{"from":"bob","n":1}}')
    await pty.expect(/< \{\s+"from": "bob",\s+"n": 1\s+\}/)
    pty.write('\u0004')
    assert.equal(await pty.waitForExit(), 0)
    bob.close()
  })

  it('interactive: a message arriving while a line is typed does not garble it', async () => {
    const server = await open()
    const bob = await testClient(server.url)
    const pty = connectPty(server, [], {cols: 40})
    await promptReady(pty)
    // Longer than the terminal is wide, so that the typed text wraps onto a second row.
    const typed = 'a long line that wraps past forty columns of the terminal'
    pty.write(typed.slice(0, 50))
    await pty.expect(/past forty columns o/)
    bob.send('{"message":"sendmessage","data":"interruption"}')
    await pty.expect(/< "interruption"/)
    await pty.expect(/> a long line/, undefined, pty.text.indexOf('< "interruption"'))
    assert.deepEqual(lastLines(pty.output, 3, 40), ['< "interruption"', `> ${typed.slice(0, 38)}`, typed.slice(38, 50)])
    pty.write(`${typed.slice(50)}\r`)
    assert.equal(await bob.next(), '"interruption"')
    assert.equal(await bob.next(), JSON.stringify(typed))
    pty.write('/quit\r')
    assert.equal(await pty.waitForExit(), 0)
    bob.close()
  })

  it('scripting: -x sends by the template route and --count exits after the first message', async () => {
    const server = await open()
    const result = await connect(server, ['-x', 'hello', '--count', '1'])
    assert.equal(result.stdout, '"hello"\n')
    assert.match(result.stderr, /Connected to/)
    assert.equal(result.code, 0)
  })

  it('scripting: each stdin line is sent and each message received is one line on stdout', async () => {
    const server = await open()
    const result = await connect(server, ['--count', '3'], 'one\n{"message":"sendmessage","data":{"two":2}}\nthree\n')
    // Broadcasts of quick successive messages may overtake each other (concurrent Lambdas), as on AWS.
    assert.deepEqual(result.stdout.split('\n').sort(), ['', '"one"', '"three"', '{"two":2}'])
    assert.equal(result.code, 0)
  })

  it('--json writes one NDJSON record {time, direction, data} per message, either way', async () => {
    const server = await open()
    const result = await connect(server, ['--json', '--count', '1', '-x', 'hi'])
    const records = ndjson(result.stdout)
    assert.deepEqual(
      records.map(({data, direction}) => ({data, direction})),
      [
        {data: '{"message":"sendmessage","data":"hi"}', direction: 'out'},
        {data: '"hi"', direction: 'in'},
      ],
    )
    for (const record of records) {
      assert.deepEqual(Object.keys(record), ['time', 'direction', 'data'])
      assert.ok(!Number.isNaN(Date.parse(record.time as string)))
    }

    assert.equal(result.code, 0)
  })

  it("prints $default's reply to a message that matches no route", async () => {
    const server = await open()
    const result = await connect(server, ['-x', '{"message":"nope","data":1}', '--count', '1'])
    assert.match(result.stdout, /^\{"error":"No route matches this message\./)
    assert.equal(result.code, 0)
  })

  it('--keepalive sends {"message":"$keepalive"} when idle and hides the $default reply', async () => {
    const server = await open()
    const bob = await testClient(server.url)
    const plain = await connect(server, ['--keepalive', '0.3', '--wait', '1'])
    assert.equal(plain.stdout, '')
    assert.equal(plain.code, 0)
    // Watched as it runs, until two keepalive round trips have passed; then stopped. How many fit in a given
    // time is the machine's business: the behaviour is that each keepalive follows a full interval of silence.
    const records = await connectUntil(server, ['--keepalive', '0.3', '--wait=-1', '--json'], (seen) => {
      const keepalives = seen.filter((record) => record.keepalive === true)
      return (
        keepalives.filter((record) => record.direction === 'out').length >= 2 &&
        keepalives.some((record) => record.direction === 'in')
      )
    })
    const out = records.filter((record) => record.direction === 'out')
    for (const [index, record] of records.entries()) {
      if (index === 0 || record.direction !== 'out') continue
      const silence = Date.parse(String(record.time)) - Date.parse(String(records[index - 1].time))
      // The session waits the full 300 ms after the last frame either way; 20 ms for the clock readings around it.
      assert.ok(
        silence >= 280,
        `a keepalive only after 0.3 s without data either way, not ${silence} ms: ${JSON.stringify(records)}`,
      )
    }

    for (const record of out)
      assert.deepEqual(
        {data: record.data, keepalive: record.keepalive},
        {data: '{"message":"$keepalive"}', keepalive: true},
      )
    assert.ok(records.some((record) => record.direction === 'in' && record.keepalive === true))
    assert.deepEqual(bob.messages, [], 'keepalive frames are never broadcast')
    bob.close()
  })

  it('splits a 40 KB message into frames of at most 32 KB; it arrives whole', async () => {
    const server = await open()
    const bob = await testClient(server.url)
    const data = 'x'.repeat(40 * 1024)
    const result = await connect(server, ['-x', data, '--count', '1'])
    assert.match(result.stderr, /over API Gateway's 32 KB frame limit: sending it as frames of at most 32 KB/)
    assert.equal(await bob.next(), JSON.stringify(data))
    assert.equal(result.code, 0)
    bob.close()
  })

  it('warns before a message over 128 KB; API Gateway closes with 1009 and the exit code is 1', async () => {
    const server = await open()
    // Through stdin: one argument of this size is over the kernel's limit.
    const result = await connect(server, ['--count', '1'], `${'y'.repeat(130 * 1024)}\n`)
    assert.match(result.stderr, /over API Gateway's 128 KB message limit/)
    assert.match(result.stderr, /Error: The server closed the connection: 1009 \(message too big/)
    assert.equal(result.code, 1)
  })

  it("without a $default route, API Gateway's Forbidden frame stands out as an error", async () => {
    const server = await open({defaultRoute: false})
    const pty = connectPty(server)
    await promptReady(pty)
    pty.write('{"message":"nope"}\r')
    await pty.expect(
      /< ✖ API Gateway error frame: Forbidden — no route matches this message and there is no \$default route/,
    )
    pty.write('\u0003')
    assert.equal(await pty.waitForExit(), 0)
    const script = await connect(server, ['-x', '{"message":"nope"}', '--count', '1'])
    assert.match(script.stdout, /^\{"message":"Forbidden","connectionId":/)
    assert.match(script.stderr, /! API Gateway error frame: Forbidden/)
  })

  it("a route whose Lambda throws: API Gateway's Internal server error frame stands out; the connection stays open", async () => {
    const server = await open({throwingRoute: true})
    const pty = connectPty(server)
    await promptReady(pty)
    pty.write('/route boom\r')
    await pty.expect(/Route: boom\./)
    pty.write('bang\r')
    await pty.expect(/< ✖ API Gateway error frame: Internal server error — the route's integration failed/)
    pty.write('/route sendmessage\r')
    pty.write('still here\r')
    await pty.expect(/< "still here"/)
    pty.write('/quit\r')
    assert.equal(await pty.waitForExit(), 0)
  })

  it('with the token authorizer: 401 without --token, 403 with a wrong one, connected with the right one', async () => {
    const secret = 'a-secret-of-16-chars-or-more'
    const server = await open({authToken: secret})
    const none = await connect(server, ['-x', 'hi', '--count', '1'])
    assert.match(
      none.stderr,
      /Error: Could not connect to ws:\/\/.*: the server answered the handshake with HTTP 401 .*\(the \$connect authorizer rejected the request: check the token \(--token, WSAPI_TOKEN or --token-stdin/,
    )
    assert.equal(none.code, 1)
    const wrong = await connect(server, ['--token', 'nope', '-x', 'hi', '--count', '1'])
    assert.match(wrong.stderr, /HTTP 403/)
    assert.match(wrong.stderr, /token=\*\*\*/, 'the token is masked')
    assert.doesNotMatch(wrong.stderr, /nope/)
    assert.equal(wrong.code, 1)
    const right = await connect(server, ['--token', secret, '-x', 'hi', '--count', '1'])
    assert.equal(right.stdout, '"hi"\n')
    assert.equal(right.code, 0)
  })
}
