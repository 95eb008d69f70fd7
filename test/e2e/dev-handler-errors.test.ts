import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {connect, DevProcess, startDev} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

describe('wsapi dev: handler errors read as the handler wrote it', function () {
  this.timeout(60_000)
  let dev: DevProcess
  let dir: string
  let file: string
  let original: string

  before(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    dir = scaffoldProject()
    file = join(dir, 'src', 'handlers', 'sendmessage.ts')
    original = readFileSync(file, 'utf8')
    // A named helper that throws when asked to: its name must survive bundling.
    writeFileSync(
      file,
      original
        .replace(
          'export async function handler(',
          'function refuseExplosions(data: unknown): void {\n  if (data === "explode") throw new Error("exploded on purpose")\n}\n\nexport async function handler(',
        )
        .replace(
          /(return \{body: message\.error, statusCode: 400\}\n {2}\}\n)/,
          '$1  refuseExplosions(message.data)\n',
        ),
    )
    dev = await startDev(dir)
  })

  after(async () => {
    await dev?.stop('SIGKILL')
  })

  it("a handler's stack names its own functions and holds no frame of wsapi's or Node's internals", async () => {
    const client = await connect(dev.ready.url)
    client.send('{"message":"sendmessage","data":"explode"}')
    assert.match(await client.next(), /"message": "Internal server error"/)
    await dev.waitForLog(/exploded on purpose[\s\S]*?\n(?! {8}at )/)
    const stack = dev.stderr.slice(dev.stderr.indexOf('Error: exploded on purpose'))
    const frames = stack
      .split('\n')
      .slice(1)
      .filter((line) => line.startsWith('        at '))
    assert.match(frames[0], /^ {8}at refuseExplosions \(.*src\/handlers\/sendmessage\.ts:\d+:\d+\)$/, stack)
    assert.match(frames[1], /^ {8}at handler \(.*src\/handlers\/sendmessage\.ts:\d+:\d+\)$/, stack)
    assert.doesNotMatch(stack, /function-worker|node:internal/)
    client.close()
  })

  it('a handler that throws while loading: the reload is reported as failed with the stack once, and each invocation fails with the init error', async () => {
    writeFileSync(file, `throw new Error("broken at load")\n${original}`)
    await dev.waitForLog(
      /Reload failed: SendmessageFunction throws while loading:\n {4}Error: broken at load\n {8}at .*src\/handlers\/sendmessage\.ts:1:\d+/,
    )
    assert.doesNotMatch(dev.stderr, /Reloaded SendmessageFunction/)
    const mark = dev.stderr.length
    const client = await connect(dev.ready.url)
    client.send('{"message":"sendmessage","data":"hi"}')
    assert.match(await client.next(), /"message": "Internal server error"/)
    await dev.waitForLog(
      /sendmessage .*Internal server error\n {4}Init error: the handler threw while loading\n {4}Error: broken at load\n/,
    )
    const invocation = dev.stderr.slice(mark)
    assert.equal(invocation.match(/broken at load/g)?.length, 1, invocation)
    assert.doesNotMatch(invocation, /Error: Error:/)

    writeFileSync(file, original)
    await dev.waitForLog(/Reloaded SendmessageFunction in \d+ ms/)
    client.close()
  })

  it('a template YAML error while watching says dev keeps running and reloads on save', async () => {
    const template = join(dir, 'template.yaml')
    const text = readFileSync(template, 'utf8')
    writeFileSync(template, `${text}\n  bad: [unclosed\n`)
    const line = await dev.waitForLog(
      /Reload failed, still running the previous code:\n.*template\.yaml is not valid YAML[^\n]*\n[^\n]*/,
    )
    assert.doesNotMatch(line, /run the command again/)
    assert.match(line, /Fix the file: wsapi dev reloads it when you save\.$/)
    writeFileSync(template, text)
    await dev.waitForLog(/Reloaded template\.yaml in \d+ ms/)
  })
})
