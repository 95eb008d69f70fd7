import assert from 'node:assert/strict'

import {ChatActions, type ChatActionPorts} from '../../../src/lib/connect/chat-actions.js'
import {type ChatOptions, planChat} from '../../../src/lib/connect/chat-plan.js'
import type {ChatView, ReceivedMessage, SentMessage} from '../../../src/lib/connect/chat-view.js'
import {parseInput} from '../../../src/lib/connect/slash.js'
import {RecordingOutput} from '../../../src/lib/output.js'

class RecordingView extends RecordingOutput implements ChatView {
  readonly audiences: Array<string | undefined> = []

  audience(label: string | undefined): void {
    this.audiences.push(label)
  }

  received(_message: ReceivedMessage): void {}

  sent(_message: SentMessage): void {}
}

/** Ports that record what the actions asked of the run. */
function actionsFor(options: Partial<ChatOptions> = {}, ports: Partial<ChatActionPorts> = {}) {
  const view = new RecordingView()
  const transmitted: string[] = []
  const quits: Array<[number | undefined, string | undefined]> = []
  const awaited: Array<(text: string) => boolean> = []
  const plan = planChat({
    connection: {},
    interactive: false,
    target: {source: 'argument', url: 'ws://127.0.0.1:1/v1'},
    ...options,
  })
  const actions = new ChatActions({
    awaitReply: (answered) => awaited.push(answered),
    ping: async () => 1.5,
    plan,
    quit: (code, reason) => quits.push([code, reason]),
    transmit: (text) => transmitted.push(text),
    view,
    ...ports,
  })
  const perform = (...lines: string[]) => {
    for (const line of lines) actions.perform(parseInput(line))
  }

  return {actions, awaited, perform, quits, transmitted, view}
}

describe('connect chat actions', () => {
  it('rooms and direct messages: frames for /join, /leave, /whoami; /room and /to address plain lines; the view hears of the audience', () => {
    const {perform, transmitted, view} = actionsFor()
    perform(
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
    )
    assert.deepEqual(transmitted, [
      '{"message":"join","room":"lobby"}',
      '{"message":"sendmessage","room":"lobby","data":"hi room"}',
      '{"a":1}',
      '{"message":"sendmessage","to":"abc=","data":"hi you"}',
      '{"message":"sendmessage","data":"hi all"}',
      '{"message":"whoami"}',
      '{"message":"leave","room":"lobby"}',
    ])
    assert.deepEqual(view.audiences, ['[lobby]', '@abc=', undefined])
    assert.match(
      view.text('info'),
      /Plain lines go to room lobby\. Lines are sent as \{"message":"sendmessage","room":"lobby","data":"<line>"\}/,
    )
  })

  it('in a script, /join and /leave hold the next lines until their own reply; in a terminal they do not', () => {
    const script = actionsFor()
    script.perform('/join a', '/leave a')
    assert.equal(script.awaited.length, 2)
    assert.equal(script.awaited[0]('{"joined":"a"}'), true)
    assert.equal(script.awaited[0]('{"joined":"b"}'), false)
    assert.equal(script.awaited[1]('{"left":"a"}'), true)
    const terminal = actionsFor({interactive: true})
    terminal.perform('/join a')
    assert.deepEqual(terminal.awaited, [])
  })

  it('with --send-raw, /room and /to are refused (plain lines cannot carry them) and nothing changes', () => {
    const {actions, perform, transmitted, view} = actionsFor({sendRaw: true})
    assert.throws(
      () => perform('/room lobby'),
      /^WsapiError: \/room: lines are sent as typed \(--send-raw\), so they cannot carry a room: pick a route with \/route sendmessage first\.$/,
    )
    assert.throws(() => perform('/to abc='), /^WsapiError: \/to: .*cannot carry a recipient/)
    perform('as typed')
    assert.deepEqual(transmitted, ['as typed'])
    assert.deepEqual(view.audiences, [])
    assert.equal(actions.describeFraming(), 'Lines are sent as typed (--send-raw)')
  })

  it('/route changes the route of plain lines and says so', () => {
    const {perform, transmitted, view} = actionsFor()
    perform('/route join', 'x')
    assert.match(view.text('info'), /^Route: join\./)
    assert.deepEqual(transmitted, ['{"message":"join","data":"x"}'])
  })

  it('/close and /quit end the run with their code; /history without history warns; /ping reports the time', async () => {
    const {perform, quits, view} = actionsFor()
    perform('/close 4000 done', '/quit', '/history', '/ping')
    assert.deepEqual(quits, [
      [4000, 'done'],
      [undefined, undefined],
    ])
    assert.equal(view.text('warn'), '/history: there is no history in scripts.')
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(view.text('info'), 'pong in 1.5 ms')
  })

  it('/help lists the commands and says what a plain line becomes', () => {
    const {perform, view} = actionsFor()
    perform('/help')
    assert.match(view.text('info'), /^Commands:\n[\s\S]*\/join[\s\S]*"message":"sendmessage"/)
  })
})
