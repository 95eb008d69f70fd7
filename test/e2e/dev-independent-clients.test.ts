import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {REPO_ROOT} from '../helpers/cli.js'
import {connect, type DevProcess, startDev, type TestClient} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'
import {tempDir} from '../helpers/tmp.js'

// Clients wsapi did not write, against the unmodified generated project under `wsapi dev`:
// wscat (the usual terminal client) and the AWS CLI v2 (Debian's awscli) on the @connections API.

const WSCAT = join(REPO_ROOT, 'node_modules', '.bin', 'wscat')
const AWS_CLI = '/usr/bin/aws'

/**
 * wscat -x, until its output matches `until` (then it is stopped: waiting a fixed time would be too short on a busy
 * machine or needlessly long on an idle one). Its stdin stays open, because wscat quits as soon as stdin ends (wscat#4).
 */
function wscat(url: string, message: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(WSCAT, ['-c', url, '-x', message, '-w', '60'], {
      env: {...process.env, NO_COLOR: '1'},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let output = ''
    const collect = (chunk: Buffer) => {
      output += chunk
      if (until.test(output)) child.kill()
    }

    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('error', reject)
    child.on('close', () => resolve(output))
  })
}

function aws(dev: DevProcess, ...args: string[]) {
  const result = spawnSync(
    AWS_CLI,
    ['apigatewaymanagementapi', ...args, '--endpoint-url', dev.ready.managementEndpoint, '--output', 'json'],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      timeout: 30_000,
    },
  )
  return {code: result.status, stderr: result.stderr, stdout: result.stdout}
}

/** Connection ids in the order their $connect was logged. */
function connectedIds(dev: DevProcess): string[] {
  return [...dev.stderr.matchAll(/\$connect\s+([\w-]{15}=)/g)].map((match) => match[1])
}

describe('wsapi dev with clients wsapi did not write', function () {
  // The AWS CLI takes seconds to start on a busy machine, and a test runs it several times.
  this.timeout(180_000)
  let dev: DevProcess
  let listener: TestClient
  let listenerId: string

  before(async () => {
    dev = await startDev(scaffoldProject())
    listener = await connect(dev.ready.url)
    await dev.waitForLog(/\$connect\s+[\w-]{15}=/)
    listenerId = connectedIds(dev)[0]
  })

  after(async () => {
    listener?.close()
    await dev?.stop()
  })

  it('wscat sends the seed payload and both it and another client get the broadcast', async () => {
    const output = await wscat(dev.ready.url, '{"message":"sendmessage","data":"hello world !"}', /"hello world !"/)
    assert.equal(await listener.next(), '"hello world !"')
    assert.match(output, /"hello world !"/)
  })

  it('wscat gets the $default usage reply for an unknown message', async () => {
    const usage = /No route matches this message\. Send \{\\"message\\":\\"sendmessage\\",\\"data\\":\\"hello\\"\}/
    const output = await wscat(dev.ready.url, 'what now?', usage)
    assert.match(output, usage)
  })

  describe('the AWS CLI v2 on @connections', function () {
    before(function () {
      if (!existsSync(AWS_CLI)) this.skip() // .ci/run installs Debian's awscli
    })

    it('posts to, gets and deletes a connection, and sees GoneException afterwards', async () => {
      const post = aws(
        dev,
        'post-to-connection',
        '--connection-id',
        listenerId,
        '--data',
        '{"from":"aws cli"}',
        '--cli-binary-format',
        'raw-in-base64-out',
      )
      assert.equal(post.code, 0, post.stderr)
      assert.equal(await listener.next(), '{"from":"aws cli"}')

      const get = aws(dev, 'get-connection', '--connection-id', listenerId)
      assert.equal(get.code, 0, get.stderr)
      const info = JSON.parse(get.stdout)
      assert.equal(info.Identity.SourceIp, '127.0.0.1')
      assert.ok(Date.parse(info.ConnectedAt) <= Date.parse(info.LastActiveAt))

      const remove = aws(dev, 'delete-connection', '--connection-id', listenerId)
      assert.equal(remove.code, 0, remove.stderr)
      assert.equal((await listener.closed).code, 1000)

      const gone = aws(
        dev,
        'post-to-connection',
        '--connection-id',
        listenerId,
        '--data',
        'late',
        '--cli-binary-format',
        'raw-in-base64-out',
      )
      assert.notEqual(gone.code, 0)
      assert.match(gone.stderr, /GoneException/)
    })

    it('gets PayloadTooLargeException over 128 KB', async () => {
      const before = connectedIds(dev).length
      const client = await connect(dev.ready.url)
      while (connectedIds(dev).length === before) await new Promise((resolve) => setTimeout(resolve, 20))
      const id = connectedIds(dev).at(-1)!
      // fileb:// sends the file's bytes as they are (an argument of 128 KB is over Linux's limit anyway).
      const payload = join(tempDir(), 'payload.bin')
      writeFileSync(payload, 'x'.repeat(131_073))
      const big = aws(dev, 'post-to-connection', '--connection-id', id, '--data', `fileb://${payload}`)
      assert.notEqual(big.code, 0)
      assert.match(big.stderr, /PayloadTooLargeException/)
      client.close()
    })
  })
})
