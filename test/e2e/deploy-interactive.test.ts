import assert from 'node:assert/strict'
import {join} from 'node:path'

import {startFakeAwsServer, type FakeAwsServer} from '../helpers/fake-aws-server.js'
import {FakeCloudFormation} from '../helpers/fake-cloudformation.js'
import {type LocalS3, startLocalS3} from '../helpers/local-s3.js'
import {scaffoldProject} from '../helpers/project.js'
import {PtySession} from '../helpers/pty.js'
import {tempDir} from '../helpers/tmp.js'

const SECRET = 'pty-secret-0123456789abcdef'

/** deploy and destroy in a terminal, as a person runs them: hidden secret prompt, confirmation, live progress. */
describe('wsapi deploy / destroy in a terminal', function () {
  this.timeout(120_000)
  let s3: LocalS3
  let sim: FakeCloudFormation
  let server: FakeAwsServer
  let env: NodeJS.ProcessEnv

  beforeEach(async () => {
    s3 = await startLocalS3()
    sim = new FakeCloudFormation({createBucket: s3.createBucket, fetchTemplate: s3.fetchTemplate, objectExists: s3.objectExists, pageSize: 6})
    server = await startFakeAwsServer(sim, {s3Url: s3.url})
    const home = tempDir()
    env = {
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      HOME: home,
      WSAPI_POLL_INTERVAL_MS: '20',
    }
  })

  afterEach(async () => {
    await server.close()
    await s3.stop()
  })

  it('asks for the secret without echoing it, shows the change set, asks, then draws progress N/M', async () => {
    const dir = scaffoldProject({auth: 'token'})
    const session = new PtySession(['deploy', '--endpoint-url', server.url], {cwd: dir, env})
    try {
      await session.expect(/AuthTokenSecret \(hidden\)/)
      session.write(`${SECRET}\r`)
      await session.expect(/Create chat-v1 with these 34 changes\?/)
      // The summary table came before the question.
      assert.match(session.text, /Action +Logical ID +Type +Replacement[\s\S]*Add +AuthorizerFunction +AWS::Lambda::Function[\s\S]*Create chat-v1 with these 34 changes\?/)
      session.write('y\r')
      await session.expect(/✔ Created chat-v1 in \d:\d\d \(CREATE_COMPLETE\)\./)
      assert.equal(await session.waitForExit(), 0)
      // The progress bar (redrawn in place) showed N/34 and the elapsed time.
      assert.match(session.output, /\r\u001B\[2K {2}[█░]{24} \d+\/34 {2}\d:\d\d/)
      assert.match(session.text, /WebSocketUrl +wss:\/\//)
      assert.ok(!session.output.includes(SECRET), 'the secret is never echoed')
      assert.equal(sim.stack('chat-v1')!.parameters.AuthTokenSecret, SECRET)
    } finally {
      session.kill()
    }

    // No to the next change set: it is deleted, and the exit code says nothing was done.
    const {readFileSync, writeFileSync} = await import('node:fs')
    const handler = join(dir, 'src/handlers/default.ts')
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const v = 2\n`)
    const declined = new PtySession(['deploy', '--endpoint-url', server.url], {cwd: dir, env})
    try {
      await declined.expect(/Update chat-v1 with these 1 changes\?/)
      assert.doesNotMatch(declined.text, /AuthTokenSecret \(hidden\)/, 'an update keeps the secret: not asked again')
      declined.write('n\r')
      await declined.expect(/Error: Deploy cancelled: the change set was deleted and chat-v1 is unchanged\./)
      assert.equal(await declined.waitForExit(), 1)
      assert.equal(sim.callsOf('DeleteChangeSet').length, 1)
    } finally {
      declined.kill()
    }
  })

  it('destroy asks for the stack name typed out', async () => {
    const dir = scaffoldProject()
    const deploy = new PtySession(['deploy', '--yes', '--endpoint-url', server.url], {cwd: dir, env})
    assert.equal(await deploy.waitForExit(60_000), 0, deploy.text)

    const wrong = new PtySession(['destroy', '--endpoint-url', server.url], {cwd: dir, env})
    try {
      await wrong.expect(/This deletes chat-v1 \(CREATE_COMPLETE, 29 resources, including the data in chat-v1-ConnectionsTable-\w+\) from account 123456789012 in eu-west-1\./)
      await wrong.expect(/Type chat-v1 to delete it/)
      wrong.write('chat\r')
      await wrong.expect(/Error: Not confirmed: chat-v1 was not deleted\./)
      assert.equal(await wrong.waitForExit(), 1)
      assert.equal(sim.callsOf('DeleteStack').length, 0)
    } finally {
      wrong.kill()
    }

    const right = new PtySession(['destroy', '--endpoint-url', server.url], {cwd: dir, env})
    try {
      await right.expect(/Type chat-v1 to delete it/)
      right.write('chat-v1\r')
      await right.expect(/✔ Deleted chat-v1 in \d:\d\d\. Removed 4 artifacts\./)
      assert.equal(await right.waitForExit(), 0)
      assert.equal(sim.stack('chat-v1'), undefined)
    } finally {
      right.kill()
    }
  })
})
