import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {removeDevState, writeDevState, writeOutputsState} from '../../src/lib/project/state.js'
import {BIN, runCli, startCli} from '../helpers/cli.js'
import {scaffoldProject} from '../helpers/project.js'
import {PtySession} from '../helpers/pty.js'
import {lastLines} from '../helpers/screen.js'
import {tempDir} from '../helpers/tmp.js'
import {
  apiGatewayErrorFrame,
  recordFrames,
  startBroadcastServer,
  startFakeChat,
  startRejectingServer,
  startServer,
  type TestServer,
  testClient,
} from '../helpers/ws-servers.js'
import {type ChatBackend, chatScenarios, ndjson, promptReady, type StartBackend} from './connect-scenarios.js'

/** The ws fake of a generated project, found by `wsapi connect` through .wsapi/dev/<pid>.json as a running `wsapi dev` would be. */
const startFakeBackend: StartBackend = async (options = {}) => {
  const projectDir = scaffoldProject({
    auth: options.authToken === undefined ? 'none' : 'token',
    defaultRoute: options.defaultRoute ?? true,
    // The fake answers `boom` with Internal server error whatever the template says; the route is there for `wsapi connect`'s sake.
    routes: options.throwingRoute ? 'sendmessage,boom' : 'sendmessage',
  })
  const server = await startFakeChat({authToken: options.authToken, defaultRoute: options.defaultRoute})
  const base = `http://127.0.0.1:${server.port}`
  writeDevState(projectDir, {
    managementEndpoint: `${base}/v1`,
    pageUrl: `${base}/`,
    pid: process.pid,
    stage: 'v1',
    startedAt: new Date().toISOString(),
    url: server.url,
  })
  return {
    async close() {
      removeDevState(projectDir)
      await server.close()
    },
    projectDir,
    url: server.url,
  } satisfies ChatBackend
}

describe('wsapi connect', function () {
  // Each test starts the CLI a few times; a busy machine takes seconds for each.
  this.timeout(60_000)
  describe('against a ws fake of a generated project (the scenarios wsapi dev must pass too)', () => {
    chatScenarios(startFakeBackend)
  })

  describe('plain ws servers', () => {
    let server: TestServer | undefined
    const use = async (started: Promise<TestServer>) => {
      server = await started
      return server
    }

    afterEach(async () => {
      await server?.close()
      server = undefined
    })

    const run = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
      runCli(['connect', ...args], {cwd: tempDir(), env: {WSAPI_STATE_DIR: tempDir(), ...env}, input})
    const pty = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      new PtySession(['connect', ...args], {cwd: tempDir(), env: {WSAPI_STATE_DIR: tempDir(), ...env}})

    describe('options', () => {
      it('-H, -s, --origin and --token reach the handshake; the chosen subprotocol and the time are shown', async () => {
        const echo = await use(
          startBroadcastServer({handleProtocols: (protocols) => (protocols.has('chat.v2') ? 'chat.v2' : false)}),
        )
        const result = await run([
          echo.url,
          '-H',
          'X-Trace: abc 123',
          '-H',
          'Authorization:Bearer t',
          '--subprotocol',
          'chat.v1',
          '--subprotocol',
          'chat.v2',
          '--origin',
          'https://app.example',
          '--token',
          'a b&c',
          '-x',
          'hi',
          '--count',
          '1',
        ])
        assert.equal(result.code, 0, result.stderr)
        const [request] = echo.requests
        assert.equal(request.headers['x-trace'], 'abc 123')
        assert.equal(request.headers.authorization, 'Bearer t')
        assert.equal(request.headers['sec-websocket-protocol'], 'chat.v1,chat.v2')
        assert.equal(request.headers.origin, 'https://app.example')
        assert.equal(new URL(request.url!, 'http://x').searchParams.get('token'), 'a b&c')
        assert.match(
          result.stderr,
          /Connected to ws:\/\/127\.0\.0\.1:\d+\/v1\?token=\*\*\* in \d+ ms · subprotocol chat\.v2/,
        )
      })

      it('the token from WSAPI_TOKEN or --token-stdin, never on the command line; two ways at once, or --token-stdin without -x, is exit 2', async () => {
        const echo = await use(startBroadcastServer())
        const secret = 'from-the-environment 1&2'
        const fromEnv = await run([echo.url, '-x', 'hi', '--count', '1'], undefined, {WSAPI_TOKEN: secret})
        assert.equal(fromEnv.code, 0, fromEnv.stderr)
        const fromStdin = await run([echo.url, '--token-stdin', '-x', 'hi', '--count', '1'], `${secret}\n`)
        assert.equal(fromStdin.code, 0, fromStdin.stderr)
        const tokens = echo.requests.map((request) => new URL(request.url!, 'http://x').searchParams.get('token'))
        assert.deepEqual(tokens, [secret, secret])
        for (const result of [fromEnv, fromStdin])
          assert.ok(!result.stderr.includes('from-the-environment') && !result.stdout.includes('from-the-environment'))

        const twice = await run([echo.url, '--token', 'x', '-x', 'hi'], undefined, {WSAPI_TOKEN: secret})
        assert.equal(twice.code, 2)
        assert.equal(twice.stderr, 'Error: The token is given 2 ways (--token, WSAPI_TOKEN): give it one way only.\n')
        const noLines = await run([echo.url, '--token-stdin'], secret)
        assert.equal(noLines.code, 2)
        assert.match(
          noLines.stderr,
          /^Error: --token-stdin takes standard input for the token: give the lines to send with -x/,
        )
        assert.equal(echo.requests.length, 2)
      })

      it('-k connects to a server with a self-signed certificate; without it the TLS error is explained (exit 1)', async () => {
        const tls = await use(startBroadcastServer({tls: true}))
        const refused = await run([tls.url, '-x', 'hi', '--count', '1'])
        assert.match(
          refused.stderr,
          /Error: Could not connect to wss:\/\/127\.0\.0\.1:\d+\/v1: TLS: .*certificate.*\(-k\/--insecure skips certificate checks/,
        )
        assert.equal(refused.code, 1)
        const insecure = await run([tls.url, '-k', '--send-raw', '-x', 'hi', '--count', '1'])
        assert.equal(insecure.stdout, 'hi\n')
        assert.equal(insecure.code, 0)
      })

      it('-r and --route-field wrap lines without a project, nested paths giving nested objects', async () => {
        const echo = await use(startBroadcastServer())
        const result = await run([
          echo.url,
          '-r',
          'chat/join',
          '--route-field',
          'body.action',
          '-x',
          'hi',
          '--count',
          '1',
        ])
        assert.equal(result.stdout, '{"body":{"action":"chat/join"},"data":"hi"}\n')
        const raw = await run([echo.url, '--send-raw', '-x', 'as typed', '-x', '{"a":1}', '--count', '2', '--verbose'])
        assert.equal(raw.stdout, 'as typed\n{"a":1}\n')
        assert.match(raw.stderr, /Lines are sent as typed \(--send-raw\)/)
        const conflicting = await run([echo.url, '--send-raw', '-r', 'chat', '-x', 'hi'])
        assert.equal(conflicting.code, 2)
        assert.match(conflicting.stderr, /--send-raw/)
      })

      it('template expressions and overrides: the route selection of the project decides the shape', async () => {
        const echo = await use(startBroadcastServer())
        const dir = scaffoldProject({
          routes: 'chat/send',
          routeSelection: '${request.body.service}/${request.body.action}',
        })
        const result = await runCli(
          ['connect', echo.url, '-x', 'hi', '-x', '/route other/thing', '-x', 'there', '--count', '2'],
          {cwd: dir},
        )
        assert.equal(
          result.stdout,
          '{"service":"chat","action":"send","data":"hi"}\n{"service":"other","action":"thing","data":"there"}\n',
        )
        const override = await runCli(
          ['connect', echo.url, '-r', 'join', '--route-field', 'action', '-x', 'hi', '--count', '1'],
          {cwd: dir},
        )
        assert.equal(override.stdout, '{"action":"join","data":"hi"}\n')
      })

      it('--stage picks the deploy outputs, --dir the project; --keepalive-message replaces the keepalive frame', async () => {
        const echo = await use(startBroadcastServer())
        const dir = scaffoldProject()
        writeOutputsState(dir, {
          deployedAt: '',
          outputs: {WebSocketUrl: echo.url},
          region: 'eu-west-1',
          stackName: 'chat-prod',
          stage: 'prod',
        })
        const missing = await run(['--dir', dir, '-x', 'hi'])
        assert.match(missing.stderr, /Nothing to connect to for chat: .* deploy stage v1/)
        assert.equal(missing.code, 2)
        const result = await run([
          '--dir',
          dir,
          '--stage',
          'prod',
          '-x',
          'hi',
          '--count',
          '1',
          '--keepalive',
          '0.2',
          '--keepalive-message',
          'ka',
          '--timeout',
          '10',
        ])
        assert.equal(result.stdout, '{"message":"sendmessage","data":"hi"}\n')
        assert.match(result.stderr, /Connected to ws:\/\/127\.0\.0\.1:\d+\/v1 \(last deploy\)/)
        // A bare number keeps its seconds (above); units work for every duration flag.
        const idle = await run([echo.url, '--keepalive', '200ms', '--keepalive-message', 'ka', '--wait', '1.5s'])
        assert.equal(idle.code, 0)
        assert.ok(echo.messages.includes('ka'))
      })

      it('--reconnect comes back with backoff after the connection drops, announcing the new connection', async () => {
        let connections = 0
        const flaky = await use(
          startServer({}, (socket) => {
            connections++
            const n = connections
            socket.send(`welcome ${n}`)
            // Odd connections drop: the first of the --reconnect run, and the one of the run without it.
            if (n % 2 === 1) setTimeout(() => socket.terminate(), 50)
          }),
        )
        const result = await run([flaky.url, '--reconnect', '--count', '2', '--timeout', '10'])
        assert.equal(result.stdout, 'welcome 1\nwelcome 2\n')
        assert.match(
          result.stderr,
          /the connection closed: 1006 \(abnormal closure.*; reconnecting in \d\.\d s \(attempt 1\)/,
        )
        assert.match(
          result.stderr,
          /Reconnected to ws:\/\/127\.0\.0\.1:\d+\/v1 in \d+ ms · no subprotocol \(connection 2\)/,
        )
        assert.equal(result.code, 0)
        const once = await run([flaky.url, '--count', '2', '--timeout', '10'])
        assert.equal(once.code, 1, 'without --reconnect an abnormal close ends the run')
      })

      it('--reconnect keeps retrying while the server is down, and gives up on a 4xx answer', async () => {
        const first = await startServer({}, (socket) => setTimeout(() => socket.terminate(), 50))
        const running = startCli(['connect', first.url, '--reconnect', '--wait=-1', '--timeout', '20'], {
          cwd: tempDir(),
          env: {WSAPI_STATE_DIR: tempDir()},
        })
        running.child.stdin!.end()
        while (first.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20))
        await first.close()
        // Down until a retry has been refused, then back, now refusing the token.
        await running.until(({stderr}) => /connection refused: nothing listens/.test(stderr))
        await use(startRejectingServer(403, 'Forbidden', first.port))
        const result = await running.result
        assert.match(
          result.stderr,
          /connection refused: nothing listens on 127\.0\.0\.1:\d+; reconnecting in \d\.\d s \(attempt 2\)/,
        )
        assert.match(
          result.stderr,
          /Error: Could not connect to .*: the server answered the handshake with HTTP 403 Forbidden/,
        )
        assert.equal(result.code, 1)
      })

      it('--raw prints messages as received; pretty JSON is coloured unless --no-color or NO_COLOR', async () => {
        const server = await use(
          startServer({}, (socket) => socket.send('{"b":[1,true,null],"big":12345678901234567890,"s":"\\u00e9"}')),
        )
        const raw = await run([server.url, '--raw', '--count', '1', '--timeout', '10'])
        assert.equal(raw.stdout, '{"b":[1,true,null],"big":12345678901234567890,"s":"\\u00e9"}\n')
        const colour = pty([server.url], {FORCE_COLOR: '1', NO_COLOR: ''})
        await colour.expect(/"big": 12345678901234567890/)
        assert.match(colour.output, /\u001B\[36m"big"\u001B\[39m/, 'keys are cyan')
        assert.match(colour.output, /\u001B\[33m12345678901234567890\u001B\[39m/, 'numbers are yellow and exact')
        colour.write('/quit\r')
        assert.equal(await colour.waitForExit(), 0)
        for (const [args, env] of [
          [['--no-color'], {FORCE_COLOR: '1', NO_COLOR: ''}],
          [[], {FORCE_COLOR: '1', NO_COLOR: '1'}],
        ] as const) {
          const plain = pty([server.url, ...args], env)
          await plain.expect(/"big": 12345678901234567890/)
          assert.doesNotMatch(plain.output, /\u001B\[3\dm/)
          plain.write('/quit\r')
          assert.equal(await plain.waitForExit(), 0)
        }
      })

      it('binary frames show as hex in a terminal, base64 in a script and in --json', async () => {
        const server = await use(startServer({}, (socket) => socket.send(Buffer.from([0, 1, 0xfe, 0xff]))))
        const terminal = pty([server.url])
        await terminal.expect(/< \[binary, 4 bytes\] 00 01 fe ff/)
        terminal.write('/quit\r')
        await terminal.waitForExit()
        const script = await run([server.url, '--count', '1', '--timeout', '10'])
        assert.equal(script.stdout, 'AAH+/w==\n')
        const json = await run([server.url, '--count', '1', '--json', '--timeout', '10'])
        assert.deepEqual(
          ndjson(json.stdout).map(({data, binary}) => ({binary, data})),
          [{binary: true, data: 'AAH+/w=='}],
        )
      })

      it('a message over 32 KB goes out as continuation frames of at most 32 KB, cut between characters', async () => {
        let frames: ReturnType<typeof recordFrames> = []
        const echo = await use(startServer({perMessageDeflate: false}, (socket) => (frames = recordFrames(socket))))
        const text = 'é'.repeat(20_000) // 40,000 bytes of two-byte characters
        const result = await run([echo.url, '--raw', '--send-raw', '-x', text, '--wait', '0.3'])
        assert.equal(result.code, 0, result.stderr)
        assert.equal(echo.messages[0], text, 'reassembled whole, valid UTF-8')
        const data = frames.filter((frame) => frame.opcode !== 8)
        assert.deepEqual(
          data.map((frame) => [frame.opcode, frame.fin]),
          [
            [1, false],
            [0, true],
          ],
        )
        assert.ok(data.every((frame) => frame.payloadBytes <= 32 * 1024 - 14))
        assert.equal(data[0].payloadBytes % 2, 0, 'no character is cut in two')
      })
    })

    describe('API Gateway error frames', () => {
      for (const message of ['Internal server error', 'Endpoint request timed out']) {
        it(`"${message}" stands out in the terminal and is flagged on stderr in scripts`, async () => {
          const server = await use(startServer({}, (socket) => socket.send(apiGatewayErrorFrame(message))))
          const terminal = pty([server.url])
          await terminal.expect(new RegExp(`< ✖ API Gateway error frame: ${message} — .* \\(requestId [\\w+/=]+\\)`))
          terminal.write('/quit\r')
          assert.equal(await terminal.waitForExit(), 0)
          const script = await run([server.url, '--count', '1', '--json', '--timeout', '10'])
          assert.equal(ndjson(script.stdout)[0].error, message)
          assert.match(script.stderr, new RegExp(`! API Gateway error frame: ${message}`))
        })
      }

      it('an ordinary message with a "message" field is not mistaken for one', async () => {
        const server = await use(startServer({}, (socket) => socket.send('{"message":"Forbidden","from":"bob"}')))
        const script = await run([server.url, '--count', '1', '--timeout', '10'])
        assert.equal(script.stdout, '{"message":"Forbidden","from":"bob"}\n')
        assert.doesNotMatch(script.stderr, /error frame/)
      })
    })

    describe('interactive', () => {
      it('slash commands: /help, /route, /send, /raw, /ping, /close with a code and reason', async () => {
        const echo = await use(startBroadcastServer())
        const session = pty([echo.url, '-r', 'sendmessage'])
        await promptReady(session)
        session.write('/help\r')
        await session.expect(/\/close \[code \[reason\]\]\s+close with a code/)
        session.write('/route\r')
        await session.expect(/Route: sendmessage\. Lines are sent as \{"message":"sendmessage","data":"<line>"\}/)
        session.write('/route join\r')
        await session.expect(/Route: join\./)
        session.write('hi\r')
        assert.equal(await echo.nextMessage(0), '{"message":"join","data":"hi"}')
        session.write('/send [1, 2]\r')
        assert.equal(await echo.nextMessage(1), '[1, 2]')
        session.write('/send {oops\r')
        await session.expect(/✖ \/send: not JSON/)
        session.write('/raw  not json \r')
        assert.equal(await echo.nextMessage(2), ' not json ')
        session.write('//slash\r')
        assert.equal(await echo.nextMessage(3), '{"message":"join","data":"/slash"}')
        session.write('/nope\r')
        await session.expect(/✖ Unknown command \/nope: type \/help/)
        session.write('/ping\r')
        await session.expect(/pong in \d+\.\d ms/)
        session.write('/close 4001 see you\r')
        await session.expect(/Disconnected: 4001 "see you"/)
        assert.equal(await session.waitForExit(), 0)
        assert.equal(echo.messages.length, 4, '/send {oops and /nope sent nothing')
      })

      it('history persists per URL across runs: up arrow recalls, /history lists, another URL has its own', async () => {
        const echo = await use(startBroadcastServer())
        const state = tempDir()
        const first = pty([echo.url, '--send-raw'], {WSAPI_STATE_DIR: state})
        await promptReady(first)
        first.write('first line\r')
        await first.expect(/< first line/)
        first.write('second line\r')
        await first.expect(/< second line/)
        first.write('\u0004')
        assert.equal(await first.waitForExit(), 0)
        const [file] = readdirSync(join(state, 'history'))
        assert.equal(statSync(join(state, 'history', file)).mode & 0o777, 0o600)
        assert.equal(readFileSync(join(state, 'history', file), 'utf8'), 'first line\nsecond line\n')

        const second = pty([`${echo.url}/?token=other`, '--send-raw'], {WSAPI_STATE_DIR: state})
        await promptReady(second)
        second.write('\u001B[A\u001B[A\r')
        assert.equal(await echo.nextMessage(2), 'first line')
        second.write('/history\r')
        await second.expect(/1 {2}first line\s+2 {2}second line\s+3 {2}first line/)
        second.write('\u0003')
        assert.equal(await second.waitForExit(), 0)

        const other = await startBroadcastServer()
        const third = pty([other.url], {WSAPI_STATE_DIR: state})
        await promptReady(third)
        third.write('/history\r')
        await third.expect(/No history yet/)
        third.write('/quit\r')
        assert.equal(await third.waitForExit(), 0)
        await other.close()
      })

      it('a server that closes abnormally ends the run with exit 1, keeping the text being typed on screen', async () => {
        const server = await use(
          startServer({}, (socket, _request, self) =>
            socket.on('message', () => {
              for (const client of self.sockets) client.close(1011, 'boom')
            }),
          ),
        )
        const bob = await testClient(server.url)
        const session = pty([server.url])
        await promptReady(session)
        session.write('half a thou')
        await session.expect(/> half a thou/)
        bob.send('trigger')
        assert.equal(await session.waitForExit(), 1)
        assert.deepEqual(lastLines(session.output, 2), [
          '> half a thou',
          'Error: The server closed the connection: 1011 (internal server error) "boom".',
        ])
        bob.close()
      })

      it('Ctrl-C and Ctrl-D quit with a normal close and exit 0', async () => {
        const echo = await use(startServer())
        const closes: number[] = []
        echo.wss.on('connection', (socket) => socket.on('close', (code) => closes.push(code)))
        for (const key of ['\u0003', '\u0004']) {
          const session = pty([echo.url])
          await promptReady(session)
          session.write(key)
          assert.equal(await session.waitForExit(), 0)
          await session.expect(/Disconnected: 1000 \(normal closure\)/)
        }

        assert.deepEqual(closes, [1000, 1000])
      })
    })

    describe("rooms, direct messages and the seed's frames", () => {
      /** Speaks the rooms protocol of a generated project: join/leave acknowledged, room and direct messages relayed with their origin. */
      const startRoomsServer = () =>
        startServer({}, (socket) =>
          socket.on('message', (data) => {
            const message = JSON.parse(data.toString()) as {data?: unknown; message: string; room?: string; to?: string}
            if (message.message === 'join') socket.send(JSON.stringify({joined: message.room}))
            else if (message.message === 'leave') socket.send(JSON.stringify({left: message.room}))
            else if (message.message === 'whoami')
              socket.send(JSON.stringify({connectionId: 'Me1=', principalId: null}))
            else if (message.room) socket.send(JSON.stringify({data: message.data, from: 'Me1=', room: message.room}))
            else if (message.to) socket.send(JSON.stringify({data: message.data, from: 'Me1=', to: message.to}))
            else socket.send(JSON.stringify(message.data))
          }),
        )

      it("outside a project, piped lines go as the seed's frames, and a server speaking the seed's protocol answers", async () => {
        const chat = await use(startFakeChat())
        const result = await run([chat.url, '--count', '1', '--verbose', '--timeout', '20'], 'hello\n')
        assert.equal(result.code, 0, result.stderr)
        assert.equal(result.stdout, '"hello"\n')
        assert.equal(chat.messages[0], '{"message":"sendmessage","data":"hello"}')
        assert.match(
          result.stderr,
          /Lines are sent as \{"message":"sendmessage","data":"<line>"\}; a JSON object is sent as typed \(the seed's frames: no template\.yaml here; --send-raw sends lines as typed\)/,
        )
      })

      it('script mode: slash commands for rooms and direct messages send their frames; a bad room name is one line on stderr', async () => {
        const server = await use(startRoomsServer())
        const input = [
          '/join lobby',
          '/room lobby',
          'hi room',
          '/to You2=',
          'psst',
          '/room',
          'hi all',
          '/whoami',
          '/join no way',
          '/leave lobby',
        ].join('\n')
        const result = await run([server.url, '--count', '6', '--timeout', '20'], `${input}\n`)
        assert.equal(result.code, 0, result.stderr)
        assert.deepEqual(server.messages, [
          '{"message":"join","room":"lobby"}',
          '{"message":"sendmessage","room":"lobby","data":"hi room"}',
          '{"message":"sendmessage","to":"You2=","data":"psst"}',
          '{"message":"sendmessage","data":"hi all"}',
          '{"message":"whoami"}',
          '{"message":"leave","room":"lobby"}',
        ])
        assert.deepEqual(result.stdout.trim().split('\n'), [
          '{"joined":"lobby"}',
          '{"data":"hi room","from":"Me1=","room":"lobby"}',
          '{"data":"psst","from":"Me1=","to":"You2="}',
          '"hi all"',
          '{"connectionId":"Me1=","principalId":null}',
          '{"left":"lobby"}',
        ])
        const errors = result.stderr.split('\n').filter((line) => line.startsWith('✖'))
        assert.deepEqual(errors, [
          '✖ /join: "no way" is not a room name: use 1 to 64 letters, digits, "_", "." or "-", e.g. lobby.',
        ])
      })

      it('-x /join with a bad room name is a usage error before connecting (exit 2)', async () => {
        const server = await use(startRoomsServer())
        const result = await run([server.url, '-x', '/join a/b'])
        assert.equal(result.code, 2)
        assert.match(result.stderr, /-x "\/join a\/b": \/join: "a\/b" is not a room name/)
        assert.equal(server.requests.length, 0)
      })

      it('in a terminal the prompt shows the room or recipient, and a room message shows its room', async () => {
        const server = await use(startRoomsServer())
        const session = pty([server.url])
        await promptReady(session)
        assert.match(session.text, /Lines are sent as \{"message":"sendmessage","data":"<line>"\}.*the seed's frames/)
        session.write('/join lobby\r')
        await session.expect(/< \{\s+"joined": "lobby"\s+\}/)
        let from = session.text.length
        session.write('/room lobby\r')
        await session.expect(
          /Plain lines go to room lobby\. Lines are sent as \{"message":"sendmessage","room":"lobby","data":"<line>"\}/,
          30_000,
          from,
        )
        await session.expect(/\n\[lobby\]> /, 30_000, from)
        from = session.text.length
        session.write('hello room\r')
        await session.expect(/< \[lobby\] \{/, 30_000, from)
        assert.equal(await server.nextMessage(1), '{"message":"sendmessage","room":"lobby","data":"hello room"}')
        from = session.text.length
        session.write('/to You2=\r')
        await session.expect(/\n@You2=> /, 30_000, from)
        session.write('psst\r')
        await session.expect(/< \[direct\] \{/, 30_000, from)
        from = session.text.length
        session.write('/room\r')
        await session.expect(
          /Plain lines go to everyone\. Lines are sent as \{"message":"sendmessage","data":"<line>"\}/,
          30_000,
          from,
        )
        session.write('/join bad name\r')
        await session.expect(/✖ \/join: "bad name" is not a room name/, 30_000, from)
        assert.doesNotMatch(session.text.slice(from), /\[lobby\]> |@You2=> /, 'back to the plain prompt')
        session.write('\u0004')
        assert.equal(await session.waitForExit(), 0)
        assert.equal(server.messages.length, 3)
      })
    })

    describe('scripting', () => {
      it('stdin lines reach the server in order, slash commands among them', async () => {
        const echo = await use(startBroadcastServer())
        const result = await run(
          [echo.url, '--raw', '--send-raw', '--wait', '0.3'],
          'one\n/raw  two\n\n/send [3]\n//four\n/close 4002 done\nnever sent\n',
        )
        assert.deepEqual(echo.messages, ['one', ' two', '[3]', '/four'])
        assert.match(result.stderr, /Disconnected: 4002 "done"/)
        assert.equal(result.code, 0)
      })

      it('--wait keeps the connection open after the last line, then closes normally', async () => {
        // 'late' comes 500 ms after the message: --wait 0 has closed by then, --wait 3 waits six times as long.
        const server = await use(
          startServer({}, (socket) => socket.on('message', () => setTimeout(() => socket.send('late'), 500))),
        )
        const short = await run([server.url, '-x', 'hi', '--wait', '0'])
        assert.equal(short.stdout, '')
        const long = await run([server.url, '-x', 'hi', '--wait', '3'])
        assert.equal(long.stdout, 'late\n')
        assert.equal(long.code, 0)
      })

      it('--wait -1 stays until the server closes; --count that the close leaves unmet exits 1', async () => {
        const server = await use(startServer({}, (socket) => setTimeout(() => socket.close(1000, 'done'), 300)))
        const open = await run([server.url, '--wait=-1'])
        assert.match(open.stderr, /Disconnected by the server: 1000 \(normal closure\) "done"/)
        assert.equal(open.code, 0)
        const counted = await run([server.url, '--count', '2'])
        assert.match(
          counted.stderr,
          /Error: The server closed the connection \(1000 \(normal closure\) "done"\), with 0 of 2 messages received\./,
        )
        assert.equal(counted.code, 1)
      })

      it('SIGTERM (or Ctrl-C) during a -x run closes normally and exits 0', async () => {
        const server = await use(startServer())
        const closed = new Promise<number>((resolve) =>
          server.wss.on('connection', (socket) => socket.on('close', resolve)),
        )
        const child = spawn(process.execPath, [BIN, 'connect', server.url, '-x', 'hi', '--wait=-1'], {
          cwd: tempDir(),
          stdio: ['pipe', 'pipe', 'pipe'],
        })
        await server.nextMessage(0)
        child.kill('SIGTERM')
        const [code] = await once(child, 'exit')
        assert.equal(code, 0)
        assert.equal(await closed, 1000)
      })

      it('a reader that stops reading (| head -1) ends the run quietly with exit 0', async () => {
        const server = await use(
          startServer({}, (socket) => {
            const timer = setInterval(() => socket.send('x'.repeat(1000)), 5)
            socket.on('close', () => clearInterval(timer))
          }),
        )
        const child = spawn(process.execPath, [BIN, 'connect', server.url, '--wait=-1'], {
          cwd: tempDir(),
          stdio: ['pipe', 'pipe', 'pipe'],
        })
        let stderr = ''
        child.stderr.on('data', (chunk) => (stderr += chunk))
        await once(child.stdout, 'data')
        child.stdout.destroy()
        const [code] = await once(child, 'exit')
        assert.equal(code, 0, stderr)
        assert.doesNotMatch(stderr, /EPIPE|at .*\.js/)
      })

      it('--timeout fails a run that does not end in time', async () => {
        const server = await use(startServer())
        const result = await run([server.url, '--count', '1', '--timeout', '0.5'])
        assert.match(result.stderr, /Error: Timed out after 0\.5 s, with 0 of 1 messages received\./)
        assert.equal(result.code, 1)
      })

      it('one line per message: JSON compacted, line breaks in text escaped', async () => {
        const server = await use(
          startServer({}, (socket) => {
            socket.send('{\n  "a": [1, 2],\n  "s": "x y"\n}')
            socket.send('two\nlines')
          }),
        )
        const result = await run([server.url, '--count', '2', '--timeout', '10'])
        assert.equal(result.stdout, '{"a":[1,2],"s":"x y"}\ntwo\\nlines\n')
      })
    })

    describe('exit codes', () => {
      for (const [code, expected] of [
        [1000, 0],
        [1001, 0],
        [1011, 1],
        [4000, 1],
      ] as const) {
        it(`the server closes with ${code}: exit ${expected}`, async () => {
          const server = await use(startServer({}, (socket) => setTimeout(() => socket.close(code, 'bye'), 100)))
          const result = await run([server.url, '--wait=-1'])
          assert.equal(result.code, expected, result.stderr)
          if (expected === 1)
            assert.match(result.stderr, new RegExp(`Error: The server closed the connection: ${code}`))
        })
      }

      it('the connection drops without a close frame: exit 1 with 1006', async () => {
        const server = await use(startServer({}, (socket) => setTimeout(() => socket.terminate(), 100)))
        const result = await run([server.url, '--wait=-1'])
        assert.match(
          result.stderr,
          /Error: The server closed the connection: 1006 \(abnormal closure: the connection dropped without a close frame\)/,
        )
        assert.equal(result.code, 1)
      })

      it('refused, unknown host, handshake 401/403 with the body: exit 1 with what to do', async () => {
        const down = await startServer()
        await down.close()
        const refused = await run([down.url, '-x', 'hi'])
        assert.match(
          refused.stderr,
          /^Error: Could not connect to ws:\/\/127\.0\.0\.1:\d+\/v1: connection refused: nothing listens on 127\.0\.0\.1:\d+\n$/,
        )
        assert.equal(refused.code, 1)
        const dns = await run(['ws://no-such-host.invalid/v1', '-x', 'hi'])
        assert.match(dns.stderr, /Could not connect to .*: host no-such-host\.invalid not found \(DNS\)/)
        assert.equal(dns.code, 1)
        const unauthorized = await use(startRejectingServer(401, '{"message":"Unauthorized"}'))
        const result = await run([unauthorized.url, '-x', 'hi'])
        assert.match(
          result.stderr,
          /the server answered the handshake with HTTP 401 Unauthorized \{"message":"Unauthorized"\} \(the \$connect authorizer rejected the request/,
        )
        assert.equal(result.code, 1)
      })

      it('a record of wsapi dev whose port no longer answers is ignored', async () => {
        const down = await startServer()
        await down.close()
        const dir = scaffoldProject()
        writeDevState(dir, {
          managementEndpoint: '',
          pageUrl: '',
          pid: process.pid,
          stage: 'v1',
          startedAt: '',
          url: down.url,
        })
        // The record's process runs but its port does not answer: the server is gone.
        const result = await runCli(['connect', '-x', 'hi'], {cwd: dir})
        assert.match(result.stderr, /Nothing to connect to for chat: start `wsapi dev`/)
        assert.equal(result.code, 2)
        removeDevState(dir)
      })

      it('bad usage exits 2 before connecting', async () => {
        const echo = await use(startServer())
        for (const [args, pattern] of [
          [[echo.url, '-H', 'no colon'], /Invalid header "no colon": write it as "Name: value"/],
          [
            [echo.url, '--wait', 'soon'],
            /Invalid --wait: give a duration such as 500ms, 30s, 10m or 2h \(a bare number is seconds; -1: until the server closes\), not "soon" \(see --help\)/,
          ],
          [
            [echo.url, '--keepalive', '0'],
            /Invalid --keepalive: give a positive duration such as 500ms, 30s, 10m or 2h \(a bare number is seconds\), not "0" \(see --help\)/,
          ],
          [[echo.url, '--count', '0'], /Expected an integer greater than or equal to 1/],
          [[echo.url, '-x', '/close 999'], /-x "\/close 999": \/close: "999" is not a close code a client may send/],
          [[echo.url, '-x', '/frobnicate'], /Unknown command \/frobnicate/],
          [[echo.url, '--route-field', 'a b', '-r', 'x'], /Invalid --route-field "a b"/],
          [['ftp://example.com'], /the scheme must be ws:\/\/ or wss:\/\//],
          [[], /No URL given and no template\.yaml in .*: pass a URL/],
        ] as const) {
          const result = await run([...args])
          assert.match(result.stderr, pattern, `wsapi connect ${args.join(' ')}`)
          assert.equal(result.code, 2, `wsapi connect ${args.join(' ')}: ${result.stderr}`)
        }

        assert.equal(echo.requests.length, 0)
      })
    })
  })
})
