import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {connect, type DevProcess, startDev} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

// `wsapi route add` then `wsapi dev`: the new route is served, its handler answers, and removing it gives the template back.
describe('wsapi route add, under wsapi dev', function () {
  this.timeout(120_000)
  let dev: DevProcess | undefined

  afterEach(async () => {
    await dev?.stop()
    dev = undefined
  })

  it('serves an added echo route (one-way, through @connections), a two-way route, and a broadcast route, in a project with a custom domain', async () => {
    const dir = scaffoldProject({certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789', domain: 'chat.example.com', routes: 'sendmessage'})
    const original = readFileSync(join(dir, 'template.yaml'), 'utf8')
    for (const args of [['join'], ['whoami', '--empty', '--two-way'], ['shout', '--broadcast']]) {
      const added = await runCli(['route', 'add', ...args, '--dir', dir])
      assert.equal(added.code, 0, added.stderr)
    }

    const listed = await runCli(['route', 'list', '--dir', dir, '--json'])
    assert.equal(listed.code, 0, listed.stderr)
    assert.deepEqual(
      (JSON.parse(listed.stdout) as {routes: Array<{key: string; twoWay: boolean}>}).routes.slice(-3).map((route) => [route.key, route.twoWay]),
      [['join', false], ['whoami', true], ['shout', false]],
    )

    dev = await startDev(dir)
    const alice = await connect(dev.ready.url)
    const bob = await connect(dev.ready.url)
    alice.send(JSON.stringify({data: {text: 'hi'}, message: 'join'}))
    assert.equal(await alice.next(), '{"text":"hi"}')
    alice.send(JSON.stringify({data: 1, message: 'whoami'}))
    assert.deepEqual(JSON.parse(await alice.next()), {ok: true})
    alice.send(JSON.stringify({data: 'to all', message: 'shout'}))
    assert.equal(await alice.next(), '"to all"')
    assert.equal(await bob.next(), '"to all"')
    // The echo went to its sender alone.
    assert.deepEqual(bob.messages, [])
    alice.close()
    bob.close()
    await dev.stop()
    dev = undefined

    for (const key of ['shout', 'whoami', 'join']) {
      const removed = await runCli(['route', 'remove', key, '--dir', dir, '--delete-files'])
      assert.equal(removed.code, 0, removed.stderr)
    }

    assert.equal(readFileSync(join(dir, 'template.yaml'), 'utf8'), original)
  })

  it('refuses a route that exists with exit 2 and one line, writing nothing', async () => {
    const dir = scaffoldProject()
    const before = readFileSync(join(dir, 'template.yaml'), 'utf8')
    const result = await runCli(['route', 'add', 'sendmessage', '--dir', dir])
    assert.equal(result.code, 2)
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
    assert.match(result.stderr, /Route sendmessage already exists/)
    assert.equal(readFileSync(join(dir, 'template.yaml'), 'utf8'), before)
  })
})
