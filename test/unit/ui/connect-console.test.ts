import assert from 'node:assert/strict'

import type {ReceivedMessage} from '../../../src/lib/connect/chat-view.js'
import {InteractiveConsole} from '../../../src/ui/connect-console.js'

const options = {color: false, history: [], interactive: true, json: false, raw: false, readStdin: true, verbose: false}
const received = (text: string): ReceivedMessage => ({binary: false, data: Buffer.from(text), text, time: new Date()})

/** What the console prints before its prompt is started (it then writes straight to stdout). */
function printed(run: (console: InteractiveConsole) => void, extra: Partial<typeof options> = {}): string {
  const write = process.stdout.write
  let written = ''
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written += chunk.toString()
    return true
  }) as typeof process.stdout.write
  try {
    run(new InteractiveConsole({...options, ...extra}))
  } finally {
    process.stdout.write = write
  }

  return written
}

describe('ui connect console', () => {
  it('a message from a room shows its room, a direct one says so, the body lined up under the label', () => {
    const text = printed((console) => {
      console.received(received('{"room":"lobby","from":"X1=","data":"hi"}'))
      console.received(received('{"to":"Me1=","from":"X1=","data":"psst"}'))
      console.received(received('"plain"'))
    })
    assert.deepEqual(
      text.split('\n').filter((line) => line.startsWith('< ')),
      ['< [lobby] {', '< [direct] {', '< "plain"'],
    )
    // "< [lobby] " is 10 columns wide, then the JSON's own indent of 2.
    assert.match(text, /< \[lobby\] \{\n {12}"room": "lobby",/, 'the body lines up under the label')
  })

  it('a room name with control characters is shown escaped in the label; --raw keeps the label', () => {
    const text = printed((console) => console.received(received('{"room":"a\\u001b[2J","data":1}')), {raw: true})
    assert.ok(!text.includes('\u001B[2J'))
    assert.match(text, /^< \[a\\x1b\[2J\] \{"room"/)
  })
})
