import assert from 'node:assert/strict'

import {runChat} from '../../../src/lib/connect/chat.js'
import {type ChatOptions, planChat} from '../../../src/lib/connect/chat-plan.js'
import type {
  ChatInput,
  ChatView,
  InputHandlers,
  ReceivedMessage,
  SentMessage,
} from '../../../src/lib/connect/chat-view.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {startRejectingServer, startServer, type TestServer} from '../../helpers/ws-servers.js'

class RecordingView extends RecordingOutput implements ChatView {
  readonly in: ReceivedMessage[] = []
  readonly out: SentMessage[] = []

  received(message: ReceivedMessage): void {
    this.in.push(message)
  }

  sent(message: SentMessage): void {
    this.out.push(message)
  }
}

/** Lines fed by the test, as a terminal would. */
class ScriptedInput implements ChatInput {
  handlers?: InputHandlers
  stopped = false

  start(handlers: InputHandlers): void {
    this.handlers = handlers
  }

  stop(): void {
    this.stopped = true
  }
}

/**
 * A server that answers /join and /leave as a project made with rooms does, `replyAfterMs` later; a room message
 * from a connection whose join it has not answered yet is refused, as the generated sendmessage refuses it.
 */
function roomsServer(replyAfterMs = 0): Promise<TestServer> {
  return startServer({}, (socket) => {
    const answered = new Set<string>()
    socket.on('message', (data) => {
      let frame: {message?: string; room?: string}
      try {
        frame = JSON.parse(data.toString()) as typeof frame
      } catch {
        return
      }

      if (frame.message === 'join' || frame.message === 'leave') {
        setTimeout(() => {
          if (frame.message === 'join') answered.add(frame.room!)
          socket.send(JSON.stringify(frame.message === 'join' ? {joined: frame.room} : {left: frame.room}))
        }, replyAfterMs)
      } else if (frame.room !== undefined) {
        socket.send(
          JSON.stringify(
            answered.has(frame.room) ? frame : {error: `You have not joined room "${frame.room}"`, room: frame.room},
          ),
        )
      }
    })
  })
}

const base = (url: string, extra: Partial<ChatOptions> = {}): ChatOptions => ({
  connection: {},
  interactive: false,
  target: {source: 'argument', url},
  ...extra,
})

describe('connect chat', () => {
  describe('runChat', () => {
    let server: TestServer | undefined
    afterEach(async () => server?.close())

    it('hides one reply per keepalive frame, not the messages that arrive meanwhile', async () => {
      server = await startServer({}, (socket) =>
        socket.on('message', (data) => {
          if (data.toString() !== '{"message":"$keepalive"}') return
          socket.send('{"error":"No route matches this message."}')
          socket.send('"a broadcast that happens to arrive now"')
          socket.send('{"error":"a real error"}')
        }),
      )
      const view = new RecordingView()
      const plan = planChat(
        base(server.url, {
          count: 2,
          keepaliveSeconds: 0.1,
          target: {routeSelection: '$request.body.message', source: 'argument', url: server.url},
        }),
      )
      const result = await runChat(plan, view)
      assert.equal(result.received, 2)
      assert.deepEqual(
        view.in.map((message) => [message.text, message.keepaliveReply ?? false]),
        [
          ['{"error":"No route matches this message."}', true],
          ['"a broadcast that happens to arrive now"', false],
          ['{"error":"a real error"}', false],
        ],
      )
      assert.deepEqual(
        view.out.map((message) => [message.text, message.keepalive]),
        [['{"message":"$keepalive"}', true]],
      )
    })

    it('warns with the exact size just past the 32 KB frame and 128 KB message limits, not at them', async () => {
      server = await startServer()
      const sizes = [32 * 1024, 32 * 1024 + 1, 128 * 1024, 128 * 1024 + 1]
      const view = new RecordingView()
      await runChat(
        planChat(base(server.url, {execute: sizes.map((size) => 'x'.repeat(size)), sendRaw: true, waitSeconds: 0})),
        view,
      )
      assert.deepEqual(
        view.lines.filter((line) => line.level === 'warn').map((line) => line.message),
        [
          "This message is 32,769 bytes, over API Gateway's 32 KB frame limit: sending it as frames of at most 32 KB.",
          "This message is 131,072 bytes, over API Gateway's 32 KB frame limit: sending it as frames of at most 32 KB.",
          "This message is 131,073 bytes, over API Gateway's 128 KB message limit (131,072 bytes): API Gateway closes the connection (1009).",
        ],
      )
    })

    it('an error reply outside the window after a keepalive is shown', async () => {
      server = await startServer({}, (socket) => socket.send('{"error":"nope"}'))
      const view = new RecordingView()
      await runChat(planChat(base(server.url, {count: 1, keepaliveSeconds: 10})), view)
      assert.equal(view.in[0].keepaliveReply, undefined)
    })

    it('a handshake refused with 403 for another stage names the stage mismatch', async () => {
      server = await startRejectingServer(403, '{"message":"Forbidden"}')
      const target = {projectStage: 'v1', source: 'argument' as const, url: server.url.replace('/v1', '/prod')}
      await assert.rejects(runChat(planChat(base(target.url, {target})), new RecordingView()), (error: Error) => {
        assert.match(
          error.message,
          /HTTP 403 Forbidden \{"message":"Forbidden"\} \(the URL's stage "prod" is not this project's stage "v1"/,
        )
        assert.doesNotMatch(error.message, /authorizer/)
        return true
      })
    })

    it('a 1001 from wsapi dev whose port is closed says wsapi dev stopped and mentions --reconnect; with the port open, its timeouts', async () => {
      for (const stops of [true, false]) {
        const dev = await startServer({}, (socket, _request, self) => {
          if (stops) self.wss.close()
          socket.close(1001, 'Going away')
        })
        const view = new RecordingView()
        const result = await runChat(
          planChat(base(dev.url, {target: {dev: {pid: process.pid}, source: 'dev', url: dev.url}, waitSeconds: -1})),
          view,
        )
        assert.equal(result.closeCode, 1001)
        const said = view.text('info')
        if (stops)
          assert.match(
            said,
            /Disconnected by the server: 1001 "Going away" \(going away: wsapi dev stopped; with --reconnect, wsapi connect comes back by itself when it runs again\)/,
          )
        else
          assert.match(
            said,
            /Disconnected by the server: 1001 "Going away" \(going away: the idle timeout or the connection limit of wsapi dev\)/,
          )
        assert.doesNotMatch(said, /API Gateway/)
        await dev.close()
      }
    })

    it('Ctrl-C while --reconnect waits (no connection open) says it stopped while reconnecting; a stopped wsapi dev is named as such', async () => {
      // wsapi dev stopping: the port closes, then its connections get 1001.
      server = await startServer({}, (socket, _request, self) => {
        self.wss.close()
        socket.close(1001, 'Going away')
      })
      const view = new RecordingView()
      const input = new ScriptedInput()
      const target = {dev: {pid: process.pid}, source: 'dev' as const, url: server.url}
      const running = runChat(
        planChat(
          base(server.url, {
            interactive: true,
            reconnect: true,
            reconnectBackoff: {initialMs: 60_000, maxMs: 60_000},
            target,
          }),
        ),
        view,
        input,
      )
      while (!view.text('warn').includes('reconnecting in')) await new Promise((resolve) => setTimeout(resolve, 10))
      assert.match(
        view.text('warn'),
        /the connection closed: 1001 "Going away" \(going away: wsapi dev stopped\); reconnecting in \d+\.\d s \(attempt 1\)/,
      )
      input.handlers!.interrupt()
      const result = await running
      assert.equal(result.byUser, true)
      assert.match(view.text('info'), /Stopped while reconnecting \(no connection was open\)\./)
      assert.doesNotMatch(view.text('info'), /Disconnected: 1000/)
    })

    it('interactive: Ctrl-D quits with 1000, history gets each line after it ran', async () => {
      server = await startServer()
      const view = new RecordingView()
      const input = new ScriptedInput()
      const added: string[] = []
      const history = {add: (line: string) => added.push(line), load: () => [...added]}
      const running = runChat(planChat(base(server.url, {interactive: true})), view, input, history as never)
      while (!input.handlers) await new Promise((resolve) => setTimeout(resolve, 10))
      input.handlers.line('/history')
      input.handlers.line('hello')
      input.handlers.end()
      const result = await running
      assert.deepEqual(
        {byUser: result.byUser, code: result.closeCode, sent: result.sent},
        {byUser: true, code: 1000, sent: 1},
      )
      assert.deepEqual(added, ['/history', 'hello'])
      assert.match(view.text('info'), /No history yet/)
      assert.ok(input.stopped)
      assert.equal(
        await server.nextMessage(0),
        '{"message":"sendmessage","data":"hello"}',
        "no template: the seed's frame",
      )
    })

    it('rooms and direct messages: frames for /join, /leave, /whoami; /room and /to address plain lines; the view hears of the audience', async () => {
      server = await roomsServer()
      const view = new RecordingView()
      const audiences: Array<string | undefined> = []
      const lines = [
        '/join lobby',
        '/room lobby',
        'hi room',
        '{"a":1}',
        '/to abc=',
        'hi you',
        '/room',
        'hi all',
        '/whoami',
        '/leave lobby',
        '/join bad name',
        'after',
      ]
      const input = new ScriptedInput()
      const running = runChat(
        planChat(base(server.url, {waitSeconds: 0})),
        Object.assign(view, {audience: (label?: string) => audiences.push(label)}),
        input,
      )
      while (!input.handlers) await new Promise((resolve) => setTimeout(resolve, 10))
      for (const line of lines) input.handlers.line(line)
      input.handlers.end()
      await running
      const frames = [
        '{"message":"join","room":"lobby"}',
        '{"message":"sendmessage","room":"lobby","data":"hi room"}',
        '{"a":1}',
        '{"message":"sendmessage","to":"abc=","data":"hi you"}',
        '{"message":"sendmessage","data":"hi all"}',
        '{"message":"whoami"}',
        '{"message":"leave","room":"lobby"}',
        '{"message":"sendmessage","data":"after"}',
      ]
      assert.equal(await server.nextMessage(frames.length - 1), frames.at(-1))
      assert.deepEqual(server.messages, frames)
      assert.deepEqual(audiences, ['[lobby]', '@abc=', undefined])
      assert.match(
        view.text('info'),
        /Plain lines go to room lobby\. Lines are sent as \{"message":"sendmessage","room":"lobby","data":"<line>"\}/,
      )
      assert.deepEqual(
        view.lines.filter((line) => line.level === 'error').map((line) => line.message),
        ['/join: "bad name" is not a room name: use 1 to 64 letters, digits, "_", "." or "-", e.g. lobby.'],
      )
    })

    it('in a script, the lines after /join wait for its reply, so the room message is not handled before the join', async () => {
      // The join is answered a moment later, as a Lambda that starts cold; the room line right behind it would be refused.
      server = await roomsServer(50)
      const view = new RecordingView()
      const target = {
        route: 'sendmessage',
        routeSelection: '$request.body.message',
        source: 'argument' as const,
        url: server.url,
      }
      const result = await runChat(
        planChat(base(server.url, {count: 3, execute: ['/join a', '/room a', 'hello', '/leave a'], target})),
        view,
      )
      assert.equal(result.received, 3)
      assert.deepEqual(
        view.in.map((message) => message.text),
        ['{"joined":"a"}', '{"message":"sendmessage","room":"a","data":"hello"}', '{"left":"a"}'],
      )
      assert.equal(view.text('warn'), '')
    })

    it('with --send-raw, /room is refused in one line (plain lines cannot carry a room) and the run goes on', async () => {
      server = await roomsServer()
      const view = new RecordingView()
      await runChat(
        planChat(
          base(server.url, {execute: ['/room lobby', 'as typed', '/join lobby'], sendRaw: true, waitSeconds: 0}),
        ),
        view,
      )
      assert.equal(await server.nextMessage(1), '{"message":"join","room":"lobby"}')
      assert.deepEqual(server.messages, ['as typed', '{"message":"join","room":"lobby"}'])
      assert.match(
        view.text('error'),
        /^\/room: lines are sent as typed \(--send-raw\), so they cannot carry a room: pick a route with \/route sendmessage first\.$/,
      )
    })
  })
})
