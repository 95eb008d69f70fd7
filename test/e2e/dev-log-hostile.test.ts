import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {connect, type DevProcess, startDev} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

/**
 * `wsapi dev`'s log quotes its clients (close reasons, route keys) and its handlers (console lines,
 * errors, their own writes to stdout and stderr): a client of the chat must not be able to retitle,
 * clear or write the clipboard of the developer's terminal through it.
 */

const ESCAPES = '\u001B]0;PWNED\u0007\u001B[2J\u009B2J\u007F'
const SHOWN = String.raw`\x1b]0;PWNED\x07\x1b[2J\u009b2J\x7f`

// $default logs what it got in every way a handler can, then throws with it.
const ECHOING_DEFAULT = `
export async function handler(event: {body: string}) {
  const {data} = JSON.parse(event.body) as {data: string}
  console.log('console.log', data)
  console.warn('console.warn', data)
  process.stdout.write('stdout ' + data + '\\n')
  process.stderr.write('stderr ' + data + '\\n')
  if (data.startsWith('throw')) throw new Error('thrown ' + data)
  return {body: 'ok', statusCode: 200}
}
`

function assertNoRawControls(text: string): void {
  for (const sequence of ['\u001B]0;PWNED', '\u001B[2J', '\u009B', '\u007F']) {
    assert.ok(!text.includes(sequence), `raw ${JSON.stringify(sequence)} in the log:\n${JSON.stringify(text)}`)
  }
}

describe('wsapi dev: its log shows what clients and handlers write, never obeys it', function () {
  this.timeout(60_000)
  let dev: DevProcess

  before(async () => {
    const dir = scaffoldProject()
    writeFileSync(join(dir, 'src', 'handlers', 'default.ts'), ECHOING_DEFAULT)
    dev = await startDev(dir)
  })

  after(async () => {
    await dev?.stop('SIGKILL')
  })

  it('handler console lines, writes to stdout and stderr and errors are logged with visible escapes', async () => {
    const client = await connect(dev.ready.url)
    client.send(JSON.stringify({action: 'none', data: `hi ${ESCAPES}`}))
    assert.equal(await client.next(30_000), 'ok')
    client.send(JSON.stringify({action: 'none', data: `throw ${ESCAPES}`}))
    assert.match(await client.next(30_000), /Internal server error/)
    for (const line of ['console.log hi ', 'console.warn hi ', 'stdout hi ', 'stderr hi ', 'Error: thrown throw ']) {
      await dev.waitForLog(new RegExp(`${line}${SHOWN.replaceAll(/[\\[\]]/g, (char) => `\\${char}`)}`), 30_000)
    }

    client.close()
    assertNoRawControls(dev.stderr)
    assert.ok(!dev.stdout.includes('stdout hi'), 'a handler writing to stdout does not reach the --json stream')
  })

  it("a client's close reason is logged with visible escapes", async () => {
    const client = await connect(dev.ready.url)
    client.close(4000, `bye ${ESCAPES}`)
    await dev.waitForLog(/\$disconnect .*\(4000 bye \\x1b\]0;PWNED\\x07\\x1b\[2J\\u009b2J\\x7f\)/, 30_000)
    assertNoRawControls(dev.stderr)
  })
})
