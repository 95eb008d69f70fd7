import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {BIN, runCli} from '../helpers/cli.js'
import {type DevProcess, startDev} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

describe('wsapi connect explains what wsapi dev did', function () {
  this.timeout(90_000)
  let dev: DevProcess
  let dir: string

  before(async () => {
    dir = scaffoldProject()
    const file = join(dir, 'src', 'handlers', 'sendmessage.ts')
    // A message with data "slow" outlasts the short integration timeout below.
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        /(return \{body: message\.error, statusCode: 400\}\n {2}\}\n)/,
        '$1  if (message.data === "slow") await new Promise((resolve) => setTimeout(resolve, 5000))\n',
      ),
    )
    dev = await startDev(dir, ['--integration-timeout', '1500ms'])
  })

  after(async () => {
    await dev?.stop('SIGKILL')
  })

  it("an integration timeout names wsapi dev's --integration-timeout, not API Gateway's 29 s", async () => {
    const result = await runCli(['connect', '-x', '{"message":"sendmessage","data":"slow"}', '--count', '1'], {
      cwd: dir,
    })
    assert.equal(result.code, 0, result.stderr)
    assert.match(
      result.stderr,
      /Endpoint request timed out — the route's integration took longer than 1\.5 s \(the server's integration timeout\)/,
    )
    assert.doesNotMatch(result.stderr, /29 s/)
  })

  it("a URL with another stage than the project's: the 403 is a stage mismatch, not an authorizer's denial", async () => {
    const result = await runCli(['connect', dev.ready.url.replace(/\/v1$/, '/prod'), '-x', 'hi'], {cwd: dir})
    assert.equal(result.code, 1)
    assert.match(
      result.stderr,
      /HTTP 403 Forbidden .*\(the URL's stage "prod" is not this project's stage "v1": a stage that does not exist answers 403; end the URL with \/v1\)/,
    )
    assert.doesNotMatch(result.stderr, /authorizer/)
  })

  it('Ctrl-C on wsapi dev: connect says wsapi dev stopped and mentions --reconnect', async () => {
    const child = spawn(process.execPath, [BIN, 'connect', '--wait', '-1', '-x', 'hello'], {
      cwd: dir,
      env: {...process.env, NO_COLOR: '1'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    // Connected once its line went out.
    while (!/Connected to /.test(stderr)) {
      if (child.exitCode !== null) throw new Error(stderr)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }

    assert.equal(await dev.stop('SIGINT'), 0)
    assert.equal(await exited, 0, stderr)
    assert.match(
      stderr,
      /Disconnected by the server: 1001 "Going away" \(going away: wsapi dev stopped; with --reconnect, wsapi connect comes back by itself when it runs again\)/,
    )
    assert.doesNotMatch(stderr, /API Gateway: the 10-minute idle timeout/)
  })
})
