import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {tempDir} from '../helpers/tmp.js'

function npm(args: string[], cwd: string) {
  const result = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false'},
    timeout: 240_000,
  })
  return {code: result.status, output: `${result.stdout}\n${result.stderr}`}
}

// The generated project must stand on its own: `npm install && npm test` on a fresh machine.
describe('a generated project', function () {
  this.timeout(300_000)

  it('installs, type-checks, passes its own tests with a clean report, and is formatted', async () => {
    const cwd = tempDir()
    const init = await runCli(['init', 'chat', '--yes', '--auth', 'token', '--routes', 'sendmessage,join'], {cwd})
    assert.equal(init.code, 0, init.stderr)
    const dir = join(cwd, 'chat')

    const install = npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], dir)
    assert.equal(install.code, 0, install.output)
    const test = npm(['test'], dir)
    assert.equal(test.code, 0, test.output)
    // Every handler's tests ran and none failed; the count changes with the options, so it is not pinned.
    assert.match(test.output, /\b[1-9]\d* passing\b/, test.output)
    assert.doesNotMatch(test.output, /^\s*\d+ failing$/m, test.output)
    // The fan-out function's own tests ran, and the broadcast routes' tests of sharding.
    assert.match(test.output, /✔ reads only its own segment of the table/, test.output)
    assert.match(test.output, /✔ hands what it has no time left for to a new invocation of itself/, test.output)
    assert.equal(
      test.output.match(/✔ splits a large audience into FANOUT_SHARDS asynchronous invocations/g)?.length,
      2,
      test.output,
    )
    // Nothing but mocha's report: no handler log lines, no SDK warning about the Node.js version.
    assert.doesNotMatch(test.output, /^\s*\{"/m, test.output)
    assert.doesNotMatch(test.output, /Warning|AWS SDK/, test.output)

    const format = npm(['run', 'format:check'], dir)
    assert.equal(format.code, 0, format.output)
  })

  it('after `wsapi route add` (echo, two-way empty, broadcast): type-checks, passes its tests, including the new ones, and is formatted', async () => {
    const cwd = tempDir()
    const init = await runCli(['init', 'chat', '--yes', '--routes', 'sendmessage'], {cwd})
    assert.equal(init.code, 0, init.stderr)
    const dir = join(cwd, 'chat')
    for (const args of [['chat/join'], ['whoami', '--empty', '--two-way'], ['shout', '--broadcast']]) {
      const added = await runCli(['route', 'add', ...args, '--dir', dir])
      assert.equal(added.code, 0, added.stderr)
    }

    const install = npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], dir)
    assert.equal(install.code, 0, install.output)
    const test = npm(['test'], dir)
    assert.equal(test.code, 0, test.output)
    assert.doesNotMatch(test.output, /^\s*\d+ failing$/m, test.output)
    for (const title of [
      "posts the message's data back to the sender alone",
      'accepts a valid message',
      'posts data to a small audience itself, in one hop',
    ]) {
      assert.match(test.output, new RegExp(`✔ ${title}`), test.output)
    }

    assert.equal(
      test.output.match(/✔ splits a large audience into FANOUT_SHARDS asynchronous invocations/g)?.length,
      2,
      'sendmessage and shout',
    )
    const format = npm(['run', 'format:check'], dir)
    assert.equal(format.code, 0, format.output)
  })

  it('with --auth jwt --rooms: installs aws-jwt-verify, passes its tests (the authorizer against a local key pair, rooms and direct messages) and builds', async () => {
    const cwd = tempDir()
    const init = await runCli(['init', 'chat', '--yes', '--auth', 'jwt', '--rooms'], {cwd})
    assert.equal(init.code, 0, init.stderr)
    const dir = join(cwd, 'chat')

    const install = npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], dir)
    assert.equal(install.code, 0, install.output)
    const test = npm(['test'], dir)
    assert.equal(test.code, 0, test.output)
    for (const name of [
      'valid token from the Sec-WebSocket-Protocol header',
      'expired',
      'another audience',
      'another issuer',
      'another key',
      'alg none',
      'malformed',
    ]) {
      assert.match(test.output, new RegExp(`✔ .*${name}`), `no passing test about ${name}:\n${test.output}`)
    }

    for (const name of [
      'join stores the membership',
      'leave deletes the membership',
      'whoami replies',
      "delivers to that room's members only",
      'has not joined',
      'leaves the room',
      'large room goes to the fan-out function',
      'to that one connection only',
      '"error": "gone"',
      'every connection of that user',
      'removes the connection from every room',
    ]) {
      assert.match(test.output, new RegExp(`✔ .*${name}`), `no passing test about ${name}:\n${test.output}`)
    }

    assert.doesNotMatch(test.output, /^\s*\d+ failing$/m, test.output)

    const build = await runCli(['build', '--dir', dir], {timeoutMs: 120_000})
    assert.equal(build.code, 0, build.stderr)
  })
})
