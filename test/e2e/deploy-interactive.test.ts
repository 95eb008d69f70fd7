import assert from 'node:assert/strict'
import {join} from 'node:path'

import {type FakeAws, startFakeAws} from '../helpers/fake-aws-server.js'
import {scaffoldProject} from '../helpers/project.js'
import {PtySession} from '../helpers/pty.js'

const SECRET = 'pty-secret-0123456789abcdef'

/** deploy and destroy in a terminal, as a person runs them: hidden secret prompt, confirmation, live progress. */
describe('wsapi deploy / destroy in a terminal', function () {
  this.timeout(120_000)
  let fake: FakeAws
  let env: NodeJS.ProcessEnv

  beforeEach(async () => {
    fake = await startFakeAws()
    env = {...fake.env, WSAPI_POLL_INTERVAL_MS: '20'}
  })

  afterEach(() => fake.stop())

  it('asks for a secret without echoing it, shows the change set, asks, then draws progress N/M', async () => {
    const dir = scaffoldProject({auth: 'token'})
    // Without its default (empty: Secrets Manager generates the token), AuthTokenSecret must be asked for.
    const {readFileSync, writeFileSync} = await import('node:fs')
    const template = join(dir, 'template.yaml')
    writeFileSync(template, readFileSync(template, 'utf8').replace("    Default: ''\n", ''))
    const session = new PtySession(['deploy', '--endpoint-url', fake.server.url], {cwd: dir, env})
    try {
      await session.expect(/AuthTokenSecret \(hidden\)/)
      session.write(`${SECRET}\r`)
      await session.expect(/Create chat-v1 with these 41 changes\?/)
      // The summary table came before the question.
      assert.match(
        session.text,
        /Action +Logical ID +Type +Replacement[\s\S]*Add +AuthorizerFunction +AWS::Lambda::Function[\s\S]*Create chat-v1 with these 41 changes\?/,
      )
      session.write('y\r')
      await session.expect(/✔ Created chat-v1 in \d:\d\d \(CREATE_COMPLETE\)\./)
      assert.equal(await session.waitForExit(), 0)
      // The progress bar (redrawn in place) showed N/41 and the elapsed time.
      assert.match(session.output, /\r\u001B\[2K {2}[█░]{24} \d+\/41 {2}\d:\d\d/)
      assert.match(session.text, /WebSocketUrl +wss:\/\//)
      assert.ok(!session.output.includes(SECRET), 'the secret is never echoed')
      assert.equal(fake.sim.stack('chat-v1')!.parameters.AuthTokenSecret, SECRET)
    } finally {
      session.kill()
    }

    // No to the next change set: it is deleted, and the exit code says nothing was done.
    const handler = join(dir, 'src/handlers/default.ts')
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const v = 2\n`)
    const declined = new PtySession(['deploy', '--endpoint-url', fake.server.url], {cwd: dir, env})
    try {
      await declined.expect(/Update chat-v1 with these 1 changes\?/)
      assert.doesNotMatch(declined.text, /AuthTokenSecret \(hidden\)/, 'an update keeps the secret: not asked again')
      // Only y/yes/n/no or Enter: anything else is asked again, never taken as the default.
      declined.write('maybe\r')
      await declined.expect(/Answer y or n/)
      declined.write('\u0015' + 'n\r')
      await declined.expect(/Error: Deploy cancelled: the change set was deleted and chat-v1 is unchanged\./)
      assert.equal(await declined.waitForExit(), 1)
      assert.equal(fake.sim.callsOf('DeleteChangeSet').length, 1)
    } finally {
      declined.kill()
    }
  })

  it('Ctrl-C while the stack is being created says the operation goes on, and exits 130', async () => {
    const dir = scaffoldProject()
    const session = new PtySession(['deploy', '--yes', '--endpoint-url', fake.server.url], {
      cwd: dir,
      env: {...env, WSAPI_POLL_INTERVAL_MS: '400'},
    })
    try {
      await session.expect(/Creating chat-v1 \(35 resources\)/, 60_000)
      session.write('\u0003')
      await session.expect(
        /! Interrupted\. A CloudFormation operation this run started goes on without it: `wsapi status` shows where it is\./,
      )
      assert.equal(await session.waitForExit(), 130)
      assert.equal(fake.sim.stack('chat-v1')!.status, 'CREATE_IN_PROGRESS')
    } finally {
      session.kill()
    }
  })

  it('destroy asks for the stack name typed out', async () => {
    const dir = scaffoldProject()
    const deploy = new PtySession(['deploy', '--yes', '--endpoint-url', fake.server.url], {cwd: dir, env})
    assert.equal(await deploy.waitForExit(60_000), 0, deploy.text)

    const wrong = new PtySession(['destroy', '--endpoint-url', fake.server.url], {cwd: dir, env})
    try {
      await wrong.expect(
        /This deletes chat-v1 \(CREATE_COMPLETE, 35 resources, including the data in chat-v1-ConnectionsTable-\w+\) from account 123456789012 in eu-west-1\./,
      )
      await wrong.expect(/Type chat-v1 to delete it/)
      wrong.write('chat\r')
      await wrong.expect(/Error: Not confirmed: chat-v1 was not deleted\./)
      assert.equal(await wrong.waitForExit(), 1)
      assert.equal(fake.sim.callsOf('DeleteStack').length, 0)
    } finally {
      wrong.kill()
    }

    const right = new PtySession(['destroy', '--endpoint-url', fake.server.url], {cwd: dir, env})
    try {
      await right.expect(/Type chat-v1 to delete it/)
      right.write('chat-v1\r')
      await right.expect(/✔ Deleted chat-v1 in \d:\d\d\. Removed 5 artifacts\./)
      assert.equal(await right.waitForExit(), 0)
      assert.equal(fake.sim.stack('chat-v1'), undefined)
    } finally {
      right.kill()
    }
  })
})
