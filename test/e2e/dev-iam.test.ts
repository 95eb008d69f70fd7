import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {presignUrl} from '../../src/lib/aws/sigv4.js'
import {LOCAL_CALLER} from '../../src/lib/dev/iam.js'
import type {DevServerState} from '../../src/lib/project/index.js'
import {runCli} from '../helpers/cli.js'
import {type DevProcess, startDev, tryConnect} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

/** A $default that answers with requestContext.identity, to see who signed reach later events. */
const IDENTITY_DEFAULT = `import type {WebSocketEvent, WebSocketResult} from '../runtime/types.js'

export async function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  return {body: JSON.stringify(event.requestContext.identity), statusCode: 200}
}
`

describe('wsapi dev: AWS_IAM on $connect (`wsapi init --auth iam`), connect/bench --sigv4', function () {
  this.timeout(120_000)
  let dev: DevProcess
  let dir: string
  let record: DevServerState

  const refusal = async (url: string) => {
    const outcome = await tryConnect(url)
    if (outcome.ok) {
      outcome.client.close()
      return {message: '', status: 101}
    }

    return {message: (JSON.parse(outcome.body) as {message: string}).message, status: outcome.status}
  }

  before(async () => {
    dir = scaffoldProject({auth: 'iam'})
    writeFileSync(join(dir, 'src/handlers/default.ts'), IDENTITY_DEFAULT)
    dev = await startDev(dir)
    record = JSON.parse(readFileSync(join(dir, '.wsapi', 'dev', `${dev.ready.pid}.json`), 'utf8')) as DevServerState
  })

  after(async () => {
    await dev?.stop()
  })

  it('records the documented local caller, which signs a URL that connects; the caller reaches later events', async () => {
    assert.deepEqual(record.sigv4, {
      accessKeyId: LOCAL_CALLER.accessKeyId,
      region: 'us-east-1',
      secretAccessKey: LOCAL_CALLER.secretAccessKey,
      userArn: LOCAL_CALLER.userArn,
    })
    const signed = await presignUrl(dev.ready.url, {credentials: LOCAL_CALLER, region: 'us-east-1'})
    const outcome = await tryConnect(signed)
    assert.ok(outcome.ok, outcome.ok ? '' : `${outcome.status} ${outcome.body}`)
    outcome.client.send('{"message":"whoami"}')
    const identity = JSON.parse(await outcome.client.next()) as Record<string, string>
    assert.equal(identity.userArn, 'arn:aws:iam::000000000000:user/wsapi-dev')
    assert.equal(identity.accessKey, LOCAL_CALLER.accessKeyId)
    assert.equal(identity.accountId, '000000000000')
    assert.equal(identity.caller, LOCAL_CALLER.userId)
    assert.equal(identity.sourceIp, '127.0.0.1')
    outcome.client.close()
  })

  it("refuses unsigned, tampered, expired, wrongly keyed and unknown-key URLs with 403 and API Gateway's message", async () => {
    const url = `${dev.ready.url}?room=a`
    assert.deepEqual(await refusal(url), {message: 'Missing Authentication Token', status: 403})
    const signed = await presignUrl(url, {credentials: LOCAL_CALLER, region: 'us-east-1'})
    assert.equal(
      (await refusal(signed.replace('room=a', 'room=b'))).message.startsWith(
        'The request signature we calculated does not match',
      ),
      true,
    )
    const old = await presignUrl(url, {
      credentials: LOCAL_CALLER,
      region: 'us-east-1',
      signingDate: new Date(Date.now() - 600_000),
    })
    assert.deepEqual(await refusal(old), {message: 'Signature expired', status: 403})
    const wrongSecret = await presignUrl(url, {
      credentials: {...LOCAL_CALLER, secretAccessKey: 'not-it'},
      region: 'us-east-1',
    })
    assert.equal((await refusal(wrongSecret)).status, 403)
    const unknown = await presignUrl(url, {
      credentials: {accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x'},
      region: 'us-east-1',
    })
    assert.deepEqual(await refusal(unknown), {
      message: 'The security token included in the request is invalid.',
      status: 403,
    })
    assert.equal((await refusal(signed)).status, 101, 'the untouched URL connects')
  })

  it('`wsapi connect --sigv4` and `wsapi bench --sigv4` sign with the local caller of the dev record', async () => {
    const chat = await runCli([
      'connect',
      '--dir',
      dir,
      '--sigv4',
      '-x',
      '{"message":"whoami"}',
      '--count',
      '1',
      '-t',
      '60',
    ])
    assert.equal(chat.code, 0, chat.stderr)
    assert.match(chat.stdout, /"userArn":\s*"arn:aws:iam::000000000000:user\/wsapi-dev"/)
    assert.doesNotMatch(chat.stdout + chat.stderr, /X-Amz-Signature=[0-9a-f]{64}/, 'the signature is not shown')
    const unsigned = await runCli(['connect', '--dir', dir, '-x', 'hi', '-t', '60'])
    assert.equal(unsigned.code, 1)
    assert.match(unsigned.stderr, /403/)
    const bench = await runCli(
      ['bench', '--dir', dir, '--sigv4', '--clients', '2', '--senders', '1', '--messages', '2', '--json'],
      {timeoutMs: 90_000},
    )
    assert.equal(bench.code, 0, bench.stderr)
  })
})
