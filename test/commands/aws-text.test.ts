import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {type FakeAws, startFakeAws} from '../helpers/fake-aws-server.js'
import {SimError} from '../helpers/fake-cloudformation.js'
import {scaffoldProject} from '../helpers/project.js'

/**
 * CloudFormation's reasons quote other services and the stack's own values, and AWS error messages
 * quote requests: `deploy`, `status` and every error line show their control characters as visible
 * escapes. (XML 1.0 allows C1 characters such as U+009B, CSI on terminals that honour 8-bit controls.)
 */

const HOSTILE = 'bad \u009B2J \u001B]0;PWNED\u0007 end'
const SHOWN = String.raw`bad \u009b2J \x1b]0;PWNED\x07 end`

function assertNoRawControls(text: string): void {
  for (const sequence of ['\u001B]0;PWNED', '\u009B'])
    assert.ok(!text.includes(sequence), `raw ${JSON.stringify(sequence)} in:\n${JSON.stringify(text)}`)
}

describe('wsapi deploy / status: AWS text is shown, not obeyed (spawned, fake AWS over HTTP)', function () {
  this.timeout(120_000)
  let fake: FakeAws

  beforeEach(async () => {
    fake = await startFakeAws()
  })

  afterEach(() => fake.stop())

  const wsapi = (args: string[], cwd: string) => runCli(args, {cwd, env: fake.env})

  it('stack event reasons in the deploy progress, the root cause, the error line and status', async () => {
    const dir = scaffoldProject()
    assert.equal((await wsapi(['deploy', '--yes'], dir)).code, 0)
    const handler = join(dir, 'src/handlers/connect.ts')
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const v = 2\n`)
    fake.sim.failOnApply.set('ConnectFunction', HOSTILE)
    const failed = await wsapi(['deploy', '--yes'], dir)
    assert.equal(failed.code, 1)
    assert.match(
      failed.stdout,
      /UPDATE_FAILED +ConnectFunction +AWS::Lambda::Function {2}bad \\u009b2J \\x1b\]0;PWNED\\x07 end/,
    )
    assert.ok(failed.stderr.includes(SHOWN), failed.stderr)
    assertNoRawControls(failed.stdout + failed.stderr)
    const status = await wsapi(['status'], dir)
    assert.ok(status.stdout.includes(SHOWN), status.stdout)
    assertNoRawControls(status.stdout + status.stderr)
  })

  it('an AWS error message in the error line', async () => {
    const dir = scaffoldProject()
    fake.sim.inject('DescribeStacks', () => new SimError('ValidationError', HOSTILE, 400))
    const result = await wsapi(['status'], dir)
    assert.equal(result.code, 1)
    assert.ok(result.stderr.includes(SHOWN), result.stderr)
    assertNoRawControls(result.stderr)
  })
})
