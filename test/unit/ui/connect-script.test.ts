import assert from 'node:assert/strict'

import type {ReceivedMessage} from '../../../src/lib/connect/chat-view.js'
import {JsonLinesView, ScriptView} from '../../../src/ui/connect-script.js'

const options = {
  color: false,
  history: [],
  interactive: false,
  json: false,
  raw: false,
  readStdin: true,
  verbose: false,
}
const received = (text: string): ReceivedMessage => ({
  binary: false,
  data: Buffer.from(text),
  text,
  time: new Date('2026-01-02T03:04:05.000Z'),
})

/** What `run` writes to stdout (written synchronously by the views), with stdout taken as a pipe. */
function stdoutOf(run: () => void): string {
  const write = process.stdout.write
  const tty = process.stdout.isTTY
  let written = ''
  process.stdout.isTTY = false as never
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written += chunk.toString()
    return true
  }) as typeof process.stdout.write
  try {
    run()
  } finally {
    process.stdout.write = write
    process.stdout.isTTY = tty
  }

  return written
}

describe('ui connect script views', () => {
  it('a script gets one line per message, JSON compacted; a keepalive reply is not shown', () => {
    const text = stdoutOf(() => {
      // Made while stdout is a pipe: a terminal would get the messages with their controls escaped.
      const view = new ScriptView(options)
      view.received(received('{\n  "a": 1\n}'))
      view.received({...received('{"error":"x"}'), keepaliveReply: true})
      view.received(received('two\nlines'))
    })
    assert.equal(text, '{"a":1}\ntwo\\nlines\n')
  })

  it('--json: one record per message, either way, DEL and C1 escaped', () => {
    const view = new JsonLinesView(options)
    const text = stdoutOf(() => {
      view.received(received('hi\u009B'))
      view.sent({text: 'out', time: new Date('2026-01-02T03:04:05.000Z')})
    })
    assert.deepEqual(text.trimEnd().split('\n'), [
      String.raw`{"time":"2026-01-02T03:04:05.000Z","direction":"in","data":"hi\u009b"}`,
      '{"time":"2026-01-02T03:04:05.000Z","direction":"out","data":"out"}',
    ])
  })
})
