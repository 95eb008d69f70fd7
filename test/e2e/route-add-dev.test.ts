import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {parseTemplate} from '../../src/lib/project/index.js'
import {validateAgainstSpec} from '../helpers/cfn-spec.js'
import {runCli} from '../helpers/cli.js'
import {connect, type DevProcess, startDev} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

/** The project's template.yaml checked against the CloudFormation resource specification: the problems found. */
function specProblems(dir: string): string[] {
  return validateAgainstSpec(parseTemplate(readFileSync(join(dir, 'template.yaml'), 'utf8'), 'template.yaml'), {
    allowLocalCode: true,
  })
}

// `wsapi route add` then `wsapi dev`: the new route is served, its handler answers, and removing it gives the template back.
describe('wsapi route add, under wsapi dev', function () {
  this.timeout(120_000)
  let dev: DevProcess | undefined

  afterEach(async () => {
    await dev?.stop()
    dev = undefined
  })

  it('serves an added echo route (one-way, through @connections), a two-way route, and a broadcast route, in a project with a custom domain', async () => {
    const dir = scaffoldProject({
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
      domain: 'chat.example.com',
      routes: 'sendmessage',
    })
    const original = readFileSync(join(dir, 'template.yaml'), 'utf8')
    for (const args of [['join'], ['whoami', '--empty', '--two-way'], ['shout', '--broadcast']]) {
      const added = await runCli(['route', 'add', ...args, '--dir', dir])
      assert.equal(added.code, 0, added.stderr)
    }

    const listed = await runCli(['route', 'list', '--dir', dir, '--json'])
    assert.equal(listed.code, 0, listed.stderr)
    assert.deepEqual(
      (JSON.parse(listed.stdout) as {routes: Array<{key: string; twoWay: boolean}>}).routes
        .slice(-3)
        .map((route) => [route.key, route.twoWay]),
      [
        ['join', false],
        ['whoami', true],
        ['shout', false],
      ],
    )
    assert.deepEqual(specProblems(dir), [])

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

  it("in a --rooms project: the added routes pass the spec check and run under dev; an added broadcast route delivers to a room's members only", async () => {
    const dir = scaffoldProject({rooms: true})
    const original = readFileSync(join(dir, 'template.yaml'), 'utf8')
    for (const args of [['echo'], ['ping', '--empty', '--two-way'], ['shout', '--broadcast']]) {
      const added = await runCli(['route', 'add', ...args, '--dir', dir])
      assert.equal(added.code, 0, added.stderr)
    }

    assert.deepEqual(specProblems(dir), [])
    dev = await startDev(dir)
    const [member, outsider] = await Promise.all([connect(dev.ready.url), connect(dev.ready.url)])
    member.send('{"message":"join","room":"a"}')
    assert.equal(await member.next(), '{"joined":"a"}')
    member.send('{"message":"whoami"}')
    const {connectionId} = JSON.parse(await member.next()) as {connectionId: string}
    member.send(JSON.stringify({data: {text: 'hi'}, message: 'echo'}))
    assert.equal(await member.next(), '{"text":"hi"}')
    member.send(JSON.stringify({data: 1, message: 'ping'}))
    assert.deepEqual(JSON.parse(await member.next()), {ok: true})
    // "room" narrows the added broadcast route's audience as it does sendmessage's.
    member.send(JSON.stringify({data: 'to a', message: 'shout', room: 'a'}))
    assert.deepEqual(JSON.parse(await member.next()), {data: 'to a', from: connectionId, room: 'a'})
    outsider.send(JSON.stringify({data: 'let me in', message: 'shout', room: 'a'}))
    assert.match(await outsider.next(), /You have not joined room \\"a\\"/)
    outsider.send(JSON.stringify({data: 'to all', message: 'shout'}))
    assert.equal(await outsider.next(), '"to all"')
    assert.equal(await member.next(), '"to all"')
    assert.deepEqual([member.messages, outsider.messages], [[], []])
    member.close()
    outsider.close()
    await dev.stop()
    dev = undefined

    for (const key of ['shout', 'ping', 'echo']) {
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
