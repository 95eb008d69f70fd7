import assert from 'node:assert/strict'
import {once} from 'node:events'

import type {WebSocket} from 'ws'

import {runCli} from '../helpers/cli.js'
import {PtySession} from '../helpers/pty.js'
import {tempDir} from '../helpers/tmp.js'
import {startRejectingServer, startServer, type TestServer} from '../helpers/ws-servers.js'
import {ndjson} from './connect-scenarios.js'

/**
 * A server is a stranger: what it sends must not drive the terminal `wsapi connect` prints to
 * (retitle it, write the clipboard, clear the screen, plant links), nor make the client hold
 * unbounded memory.
 */

// OSC 0 (title), CSI 2J (clear screen), OSC 52 (clipboard), OSC 8 (link), C1 CSI, DEL.
const HOSTILE =
  'hi \u001B]0;PWNED\u0007 \u001B[2J \u001B]52;c;Y3VybCBldmlsIHwgc2g=\u0007 \u001B]8;;http://evil/\u001B\\click\u001B]8;;\u001B\\ \u009B2J \u007F'
const HOSTILE_SHOWN = String.raw`hi \x1b]0;PWNED\x07 \x1b[2J \x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07 \x1b]8;;http://evil/\x1b\click\x1b]8;;\x1b\ \u009b2J \x7f`
// Valid JSON may hold DEL and C1 characters as they are, and ESC as the escape \u001b.
const HOSTILE_JSON = '{"text":"a\u009B2Jb\u007F","esc":"\\u001b]0;PWNED\\u0007","\u009Bkey":1}'

/** What no terminal may receive from the server: the sequences above, raw. */
function assertNoRawControls(output: string): void {
  for (const sequence of ['\u001B]0;PWNED', '\u001B[2J', '\u001B]52;', '\u001B]8;', '\u009B', '\u007F']) {
    assert.ok(
      !output.includes(sequence),
      `raw ${JSON.stringify(sequence)} reached the terminal:\n${JSON.stringify(output)}`,
    )
  }
}

describe('wsapi connect against a hostile server', function () {
  this.timeout(60_000)
  let server: TestServer | undefined
  const use = async (started: Promise<TestServer>) => {
    server = await started
    return server
  }

  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const run = (args: string[], input?: string) =>
    runCli(['connect', ...args], {cwd: tempDir(), env: {WSAPI_STATE_DIR: tempDir()}, input})
  const pty = (args: string[]) =>
    new PtySession(['connect', ...args], {cwd: tempDir(), env: {WSAPI_STATE_DIR: tempDir()}})

  it('in a terminal, escape sequences in text, in JSON strings and keys and in the close reason show as visible escapes', async () => {
    const hostile = await use(
      startServer({}, (socket) => {
        socket.send(HOSTILE)
        socket.send(HOSTILE_JSON)
        socket.on('message', () => socket.close(4000, 'bye \u001B]0;PWNED\u0007\u009B2J'))
      }),
    )
    for (const args of [[], ['--raw']]) {
      const session = pty([hostile.url, ...args])
      await session.expect(/"esc"/)
      session.write('bye\r')
      assert.equal(await session.waitForExit(), 1)
      assert.ok(session.output.includes(HOSTILE_SHOWN), session.output)
      assert.ok(session.output.includes(String.raw`\u009b2Jb\x7f`), 'DEL and C1 inside a JSON string')
      assert.ok(
        session.output.includes(String.raw`"esc"${args.length > 0 ? ':' : ': '}"\u001b]0;PWNED\u0007"`),
        'a JSON escape stays the escape it was',
      )
      assert.ok(session.output.includes(String.raw`4000 "bye \u001b]0;PWNED\u0007\u009b2J"`), 'the close reason')
      assertNoRawControls(session.output)
    }
  })

  it('a script to a terminal (-x typed at a prompt) escapes; to a pipe the data stays byte-exact, like cat', async () => {
    const hostile = await use(startServer({}, (socket) => socket.on('message', () => socket.send(HOSTILE))))
    const session = pty([hostile.url, '-x', 'x', '--count', '1'])
    assert.equal(await session.waitForExit(), 0)
    assert.ok(session.output.includes(HOSTILE_SHOWN), session.output)
    assertNoRawControls(session.output)

    const piped = await run([hostile.url, '-x', 'x', '--count', '1', '--timeout', '10'])
    assert.equal(piped.code, 0, piped.stderr)
    assert.equal(piped.stdout, `${HOSTILE}\n`)
    const raw = await run([hostile.url, '-x', 'x', '--count', '1', '--raw', '--timeout', '10'])
    assert.equal(raw.stdout, `${HOSTILE}\n`)
  })

  it('notices on stderr (close reasons, the lines sent back with -v) are escaped in scripts', async () => {
    const hostile = await use(
      startServer({}, (socket) => socket.on('message', () => socket.close(4000, 'bye \u001B]0;PWNED\u0007\u009B2J'))),
    )
    const result = await run([
      hostile.url,
      '--send-raw',
      '-x',
      'x\u001B[2J',
      '--verbose',
      '--wait',
      '-1',
      '--timeout',
      '10',
    ])
    assert.equal(result.code, 1)
    assert.match(result.stderr, /Error: The server closed the connection: 4000 "bye \\u001b\]0;PWNED\\u0007\\u009b2J"/)
    assert.match(result.stderr, /> x\\x1b\[2J/)
    assertNoRawControls(result.stderr)
  })

  it('--json stays valid JSON with the data exact, and writes DEL and C1 as \\u escapes', async () => {
    const hostile = await use(
      startServer({}, (socket) => {
        socket.send(HOSTILE)
        socket.send(HOSTILE_JSON)
      }),
    )
    const result = await run([hostile.url, '--json', '--count', '2', '--timeout', '10'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(
      ndjson(result.stdout).map((record) => record.data),
      [HOSTILE, HOSTILE_JSON],
    )
    assertNoRawControls(result.stdout)
    assert.match(result.stdout, /\\u009b2J/)
  })

  it("an error frame is only one of API Gateway's texts: a broadcast with the same shape is an ordinary message", async () => {
    const frame =
      '{"message": "Forbidden by \\u001b]0;PWNED\\u0007", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmGEE2RoE0FRdQ="}'
    const hostile = await use(startServer({}, (socket) => socket.send(frame)))
    const result = await run([hostile.url, '--json', '--count', '1', '--timeout', '10'])
    assert.equal(ndjson(result.stdout)[0].error, undefined)
    assert.doesNotMatch(result.stderr, /error frame/)
  })

  it('the body of a refused handshake is shown escaped', async () => {
    const refusing = await use(startRejectingServer(401, 'no \u001B]0;PWNED\u0007\u001B[2J\u009B2J'))
    const result = await run([refusing.url, '-x', 'hi'])
    assert.equal(result.code, 1)
    assert.match(result.stderr, /HTTP 401 Unauthorized no \\x1b\]0;PWNED\\x07\\x1b\[2J\\u009b2J/)
    assertNoRawControls(result.stderr)
  })

  describe('memory', () => {
    const closeCode = (socket: WebSocket) => once(socket, 'close').then(([code]) => code as number)

    it('offers no permessage-deflate, and closes with 1002 on a compressed frame it never agreed to', async () => {
      let closed: Promise<number> | undefined
      const hostile = await use(
        startServer({}, (socket) => {
          closed = closeCode(socket)
          // FIN + RSV1 + text, 5 bytes of "deflated" payload: what a compression bomb starts with.
          ;(socket as unknown as {_socket: NodeJS.WritableStream})._socket.write(
            Buffer.from([0xc1, 0x05, 0xf2, 0x48, 0xcd, 0xc9, 0x01]),
          )
        }),
      )
      const result = await run([hostile.url, '--wait', '-1', '--timeout', '10'])
      assert.equal(hostile.requests[0].headers['sec-websocket-extensions'], undefined)
      assert.equal(await closed, 1002)
      assert.equal(result.code, 1)
      assert.match(
        result.stderr,
        /Error: Closed the connection with 1002: the server sent a compressed frame, but no compression was negotiated/,
      )
    })

    it('closes with 1009 on a message over 4 MiB (API Gateway sends at most 128 KB); 1 MiB is fine', async () => {
      let closed: Promise<number> | undefined
      const hostile = await use(
        startServer({}, (socket) => {
          closed = closeCode(socket)
          socket.send('a'.repeat(1024 * 1024))
          socket.send('b'.repeat(4 * 1024 * 1024 + 1))
        }),
      )
      const result = await run([hostile.url, '--wait', '-1', '--timeout', '20'])
      assert.equal(await closed, 1009)
      assert.ok(result.stdout === `${'a'.repeat(1024 * 1024)}\n`, `stdout: ${result.stdout.length} characters`)
      assert.equal(result.code, 1)
      assert.match(
        result.stderr,
        /Error: Closed the connection with 1009: the server sent a message over 4 MiB, the most wsapi connect accepts \(API Gateway sends at most 128 KB\)/,
      )
    })
  })
})
