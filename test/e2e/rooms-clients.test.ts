import assert from 'node:assert/strict'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {runCli, startCli} from '../helpers/cli.js'
import {connect, type DevProcess, startDev, type TestClient} from '../helpers/dev.js'
import {PtySession} from '../helpers/pty.js'
import {renderScreen} from '../helpers/screen.js'
import {tempDir} from '../helpers/tmp.js'

// The clients of issue 13 (`wsapi connect` slash commands, seed frames, `wsapi bench --room`) against the backend
// `wsapi init --rooms` generates, run by `wsapi dev`: each half was tested against its own side only.

/** A ws client of the test and its connection id (from whoami). */
interface Peer {
  client: TestClient
  id: string
}

async function whoami(
  client: TestClient,
): Promise<{connectionId: string; principalId: null | string; rooms: string[]}> {
  client.send('{"message":"whoami"}')
  return JSON.parse(await client.next()) as {connectionId: string; principalId: null | string; rooms: string[]}
}

async function peer(url: string, options: {protocols?: string[]} = {}): Promise<Peer> {
  const client = await connect(url, options)
  return {client, id: (await whoami(client)).connectionId}
}

async function joinRoom(client: TestClient, room: string): Promise<void> {
  client.send(JSON.stringify({message: 'join', room}))
  assert.deepEqual(JSON.parse(await client.next()), {joined: room})
}

/** Nothing reached the peer before the reply to a whoami it sends now. */
async function receivedNothing(one: Peer, what: string): Promise<void> {
  const reply = await whoami(one.client)
  assert.equal(reply.connectionId, one.id, `${what}: an unexpected frame arrived: ${JSON.stringify(reply)}`)
}

/** A project made as a user makes it: `wsapi init <dir> --yes` with `args`. */
async function initProject(args: string[]): Promise<string> {
  const dir = join(tempDir(), 'chat')
  const result = await runCli(['init', dir, '--yes', ...args])
  assert.equal(result.code, 0, result.stderr)
  return dir
}

/** The complete JSON lines a script printed on stdout, parsed (a line still in the pipe waits for the next read). */
function printed(stdout: string): unknown[] {
  return stdout
    .slice(0, stdout.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown)
}

describe('wsapi connect and bench against a `wsapi init --rooms` project under wsapi dev', function () {
  this.timeout(180_000)
  let dev: DevProcess
  let dir: string
  const peers: Peer[] = []

  const newPeer = async () => {
    const one = await peer(dev.ready.url)
    peers.push(one)
    return one
  }

  before(async () => {
    dir = await initProject(['--rooms'])
    dev = await startDev(dir)
  })

  afterEach(() => {
    for (const one of peers.splice(0)) one.client.close()
  })

  after(async () => {
    await dev?.stop()
  })

  it('-x: /join a, /room a and a plain line reach the other member and not a non-member; /whoami prints its reply', async () => {
    const member = await newPeer()
    await joinRoom(member.client, 'a')
    const outsider = await newPeer()
    await joinRoom(outsider.client, 'b')

    const result = await runCli(
      [
        'connect',
        '-x',
        '/join a',
        '-x',
        '/room a',
        '-x',
        'hello from a script',
        '-x',
        '/whoami',
        '--count',
        '3',
        '--timeout',
        '60',
      ],
      {cwd: dir},
    )
    assert.equal(result.code, 0, result.stderr)
    const lines = printed(result.stdout)
    const reply = lines.find((line) => Object.hasOwn(line as object, 'connectionId')) as {
      connectionId: string
      principalId: null
      rooms: string[]
    }
    assert.ok(reply, `no whoami reply printed:\n${result.stdout}`)
    assert.equal(reply.principalId, null)
    const inA = {data: 'hello from a script', from: reply.connectionId, room: 'a'}
    assert.deepEqual(
      lines.filter((line) => line !== reply),
      [{joined: 'a'}, inA],
    )
    assert.match(result.stderr, /Plain lines go to room a/)

    assert.deepEqual(JSON.parse(await member.client.next()), inA)
    await receivedNothing(member, 'the member')
    await receivedNothing(outsider, 'the member of room b')
  })

  it('piped stdin: /to <id> reaches that connection alone; after /leave a nothing more comes from room a', async () => {
    const recipient = await newPeer()
    await joinRoom(recipient.client, 'a')
    const bystander = await newPeer()
    await joinRoom(bystander.client, 'a')
    const cli = startCli(['connect', '--wait', '0', '--timeout', '120'], {cwd: dir})
    const lines = () => printed(cli.stdout) as Array<Record<string, unknown>>
    const write = (text: string) => cli.child.stdin!.write(`${text}\n`)

    write('/whoami')
    await cli.until(() => lines().some((line) => 'connectionId' in line))
    const self = lines().find((line) => 'connectionId' in line)!.connectionId as string

    write(`/to ${recipient.id}`)
    write('psst')
    assert.deepEqual(JSON.parse(await recipient.client.next()), {data: 'psst', from: self, to: recipient.id})
    await receivedNothing(bystander, 'a connection the message was not addressed to')
    await receivedNothing(recipient, 'the recipient, after its one message')

    write('/to')
    write('/join a')
    await cli.until(() => lines().some((line) => line.joined === 'a'))
    bystander.client.send('{"message":"sendmessage","room":"a","data":"while in a"}')
    await cli.until(() => lines().some((line) => line.data === 'while in a'))
    const whileInA = {data: 'while in a', from: bystander.id, room: 'a'}
    assert.deepEqual(JSON.parse(await bystander.client.next()), whileInA)
    assert.deepEqual(JSON.parse(await recipient.client.next()), whileInA)

    write('/leave a')
    await cli.until(() => lines().some((line) => line.left === 'a'))
    bystander.client.send('{"message":"sendmessage","room":"a","data":"after leaving"}')
    const afterLeaving = {data: 'after leaving', from: bystander.id, room: 'a'}
    assert.deepEqual(JSON.parse(await bystander.client.next()), afterLeaving)
    assert.deepEqual(JSON.parse(await recipient.client.next()), afterLeaving)
    // The sendmessage function has posted to every member it found once it logs the message.
    await dev.waitForLog(/\{"room":"a","route":"sendmessage","sender":"[^"]+","failed":0,"gone":0,"sent":2\}/)
    write('/whoami')
    await cli.until(() => lines().filter((line) => 'connectionId' in line).length === 2)
    cli.child.stdin!.end()
    const result = await cli.result
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(
      lines().map((line) => ('connectionId' in line ? 'whoami' : line)),
      ['whoami', {joined: 'a'}, {data: 'while in a', from: bystander.id, room: 'a'}, {left: 'a'}, 'whoami'],
    )
  })

  it('in a terminal: the prompt shows [a]; a room message is labelled [a], a direct one [direct]', async () => {
    const other = await newPeer()
    await joinRoom(other.client, 'a')
    const session = new PtySession(['connect'], {cwd: dir})
    try {
      await session.expect(/Connected to/)
      session.write('/whoami\r')
      const [, self] = await session.expect(/"connectionId":\s*"([^"]+)"/)
      session.write('/join a\r')
      await session.expect(/"joined":\s*"a"/)
      session.write('/room a\r')
      await session.expect(/\[a\]>/)
      let from = session.text.length
      other.client.send('{"message":"sendmessage","room":"a","data":"from the room"}')
      await session.expect(/< \[a\] \{[^<]*"data": "from the room"/, 30_000, from)
      from = session.text.length
      other.client.send(JSON.stringify({data: 'just for you', message: 'sendmessage', to: self}))
      await session.expect(/< \[direct\] \{[^<]*"data": "just for you"/, 30_000, from)
      // A plain line typed at the [a] prompt goes to room a.
      session.write('typed in a\r')
      assert.deepEqual(JSON.parse(await other.client.next()), {data: 'from the room', from: other.id, room: 'a'})
      assert.deepEqual(JSON.parse(await other.client.next()), {data: 'typed in a', from: self, room: 'a'})
      await session.expect(/\[a\]> typed in a/)
      // What a person sees: the labelled messages above, the typed line on its own prompt, no prompt left twice.
      const screen = renderScreen(session.output)
      assert.ok(screen.includes('[a]> typed in a'), screen.join('\n'))
      assert.ok(!screen.some((line) => line.includes('> [a]>')), screen.join('\n'))
      session.write('/quit\r')
      assert.equal(await session.waitForExit(), 0)
    } finally {
      session.kill()
    }
  })

  it('outside a project, a plain line goes as the seed frame {"message":"sendmessage","data":…} and the broadcast comes back', async () => {
    const listener = await newPeer()
    const elsewhere = join(tempDir(), 'elsewhere')
    mkdirSync(elsewhere)
    const result = await runCli(['connect', dev.ready.url, '--count', '1', '--timeout', '60'], {
      cwd: elsewhere,
      input: 'hello\n',
    })
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, '"hello"\n')
    assert.equal(await listener.client.next(), '"hello"')

    const traced = await runCli(['connect', dev.ready.url, '--count', '1', '--timeout', '60', '--json'], {
      cwd: elsewhere,
      input: 'again\n',
    })
    assert.equal(traced.code, 0, traced.stderr)
    const records = printed(traced.stdout) as Array<{data: string; direction: string}>
    assert.deepEqual(
      records.map((record) => [record.direction, record.data]),
      [
        ['out', '{"message":"sendmessage","data":"again"}'],
        ['in', '"again"'],
      ],
    )
    assert.equal(await listener.client.next(), '"again"')
  })

  it("bench --room a --clients 20: passes, counting deliveries to the room's members only", async () => {
    const outsider = await newPeer()
    await joinRoom(outsider.client, 'b')
    const watcher = await newPeer()
    await joinRoom(watcher.client, 'a')
    const result = await runCli(
      [
        'bench',
        '--room',
        'a',
        '--clients',
        '20',
        '--messages',
        '3',
        '--interval',
        '50ms',
        '--timeout',
        '60s',
        '--json',
      ],
      {cwd: dir, timeoutMs: 120_000},
    )
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout) as {
      deliveries: {duplicates: number; expected: number; lost: number; received: number; unexpected: number}
      messages: {complete: number; sent: number}
      otherFrames: {total: number}
      room: {joined: number; name: string; tried: number}
    }
    assert.deepEqual(report.room, {failures: {}, joined: 20, name: 'a', tried: 20})
    // Three messages, each to the 20 members (the sender included): a member that is not a bench client is not counted.
    assert.deepEqual(report.deliveries, {duplicates: 0, expected: 60, lost: 0, received: 60, unexpected: 0})
    assert.deepEqual([report.messages.sent, report.messages.complete, report.otherFrames.total], [3, 3, 0])
    // A member of room a that is not one of the bench's clients received the three, and was not counted.
    for (let n = 0; n < 3; n++) assert.equal((JSON.parse(await watcher.client.next()) as {room: string}).room, 'a')
    await receivedNothing(watcher, 'a member of room a, after the bench')
    await receivedNothing(outsider, 'a connection outside the room')
  })
})

describe('wsapi connect -x "/join a" -x "/room a" -x <line> when the join function starts cold', function () {
  this.timeout(120_000)
  let dev: DevProcess
  let dir: string

  before(async () => {
    dir = await initProject(['--rooms'])
    dev = await startDev(dir)
  })

  after(async () => {
    await dev?.stop()
  })

  it('sends the room line after the join is answered, so it is delivered and not refused', async () => {
    // sendmessage warm, join cold: sent together, the room line would be handled before the join and refused.
    const warm = await connect(dev.ready.url)
    warm.send('{"message":"sendmessage","data":"warm up"}')
    assert.equal(await warm.next(), '"warm up"')
    const result = await runCli(
      ['connect', '-x', '/join a', '-x', '/room a', '-x', 'hello', '--count', '2', '--timeout', '60'],
      {cwd: dir},
    )
    assert.equal(result.code, 0, result.stderr)
    const [joined, delivered] = printed(result.stdout) as Array<Record<string, unknown>>
    assert.deepEqual(joined, {joined: 'a'})
    assert.deepEqual({...delivered, from: undefined}, {data: 'hello', from: undefined, room: 'a'})
    warm.close()
  })
})

describe('wsapi bench --room against a project without rooms', function () {
  this.timeout(120_000)
  let dev: DevProcess

  before(async () => {
    dev = await startDev(await initProject([]))
  })

  after(async () => {
    await dev?.stop()
  })

  it('fails with exit 1 and one line saying the API must answer join', async () => {
    const result = await runCli(['bench', dev.ready.url, '--room', 'a', '--clients', '3', '--messages', '1'])
    assert.equal(result.code, 1, result.stdout)
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
    assert.match(result.stderr, /No client could join room a .*\{"message":"join","room":"a"\}.*wsapi init --rooms/)
  })
})

describe('wsapi connect against a `wsapi init --rooms --auth jwt` project under wsapi dev', function () {
  this.timeout(180_000)
  let dev: DevProcess
  let dir: string

  const token = async (sub: string) => {
    const result = await runCli(['token', '--sub', sub], {cwd: dir})
    assert.equal(result.code, 0, result.stderr)
    return result.stdout.trim()
  }

  before(async () => {
    dir = await initProject(['--rooms', '--auth', 'jwt'])
    dev = await startDev(dir)
  })

  after(async () => {
    await dev?.stop()
  })

  it('with a token from `wsapi token` in WSAPI_TOKEN: /whoami shows the user, /to user:<sub> reaches every connection of that user', async () => {
    const bob = await peer(dev.ready.url, {protocols: ['bearer', await token('bob')]})
    const bobElsewhere = await peer(dev.ready.url, {protocols: ['bearer', await token('bob')]})
    const carol = await peer(dev.ready.url, {protocols: ['bearer', await token('carol')]})
    const env = {WSAPI_TOKEN: await token('alice')}
    try {
      const result = await runCli(
        ['connect', '-x', '/whoami', '-x', '/to user:bob', '-x', 'hi bob', '--count', '1', '--timeout', '60'],
        {cwd: dir, env},
      )
      assert.equal(result.code, 0, result.stderr)
      const [reply] = printed(result.stdout) as Array<{connectionId: string; principalId: string}>
      assert.equal(reply.principalId, 'alice')
      const direct = {data: 'hi bob', from: reply.connectionId, to: 'user:bob'}
      assert.deepEqual(JSON.parse(await bob.client.next()), direct)
      assert.deepEqual(JSON.parse(await bobElsewhere.client.next()), direct)
      await receivedNothing(carol, 'another user')

      const refused = await runCli(['connect', '-x', '/whoami', '--count', '1', '--timeout', '60'], {cwd: dir})
      assert.equal(refused.code, 1)
      assert.match(refused.stderr, /401/)
    } finally {
      for (const one of [bob, bobElsewhere, carol]) one.client.close()
    }
  })
})
