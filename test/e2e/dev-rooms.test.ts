import assert from 'node:assert/strict'

import {DynamoDBClient, ScanCommand} from '@aws-sdk/client-dynamodb'

import {runCli} from '../helpers/cli.js'
import {connect, type DevProcess, sleep, startDev, type TestClient} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

/** A client with a name, what it has been sent, and its connection id (from whoami). */
interface Member {
  client: TestClient
  id: string
  name: string
  /** Every frame it received, in order, parsed. */
  received: unknown[]
}

describe('wsapi dev: rooms and direct messages of `wsapi init --rooms --auth jwt`', function () {
  this.timeout(180_000)
  let dev: DevProcess
  let dir: string
  let dynamodb: DynamoDBClient

  const token = async (sub: string) => {
    const result = await runCli(['token', '--dir', dir, '--sub', sub])
    assert.equal(result.code, 0, result.stderr)
    return result.stdout.trim()
  }

  /** Connects as `sub` and learns the connection id from whoami. */
  const member = async (name: string, sub: string): Promise<Member> => {
    const client = await connect(dev.ready.url, {protocols: ['bearer', await token(sub)]})
    const joined: Member = {client, id: '', name, received: []}
    const reply = (await request(joined, {message: 'whoami'})) as {
      connectionId: string
      principalId: string
      rooms: string[]
    }
    assert.equal(reply.principalId, sub)
    assert.deepEqual(reply.rooms, [])
    joined.id = reply.connectionId
    joined.received.pop()
    return joined
  }

  /** The next frame `to` receives, parsed and kept. */
  const next = async (to: Member): Promise<unknown> => {
    const frame = JSON.parse(await to.client.next()) as unknown
    to.received.push(frame)
    return frame
  }

  const request = async (from: Member, body: Record<string, unknown>): Promise<unknown> => {
    from.client.send(JSON.stringify(body))
    return next(from)
  }

  /**
   * Ends a step: each client asks whoami and its very next frame must be the answer, so nothing else reached it
   * in between; then everything each one received is compared with what it should have.
   */
  const settle = async (members: Member[]) => {
    for (const one of members) {
      const reply = (await request(one, {message: 'whoami'})) as {connectionId?: string}
      assert.equal(reply.connectionId, one.id, `${one.name}: an unexpected frame arrived: ${JSON.stringify(reply)}`)
      one.received.pop()
    }
  }

  before(async () => {
    dir = scaffoldProject({auth: 'jwt', rooms: true})
    dev = await startDev(dir)
    dynamodb = new DynamoDBClient({
      credentials: {accessKeyId: 'local', secretAccessKey: 'local'},
      endpoint: dev.ready.dynamodbEndpoint,
      region: 'us-east-1',
    })
  })

  after(async () => {
    dynamodb?.destroy()
    await dev?.stop()
  })

  it('three clients, two in room a and one in b: each sees exactly its room; leaving and disconnecting stop delivery; DMs by id and by user', async () => {
    const alice = await member('alice', 'alice')
    const bob = await member('bob', 'bob')
    const carol = await member('carol', 'carol')
    const everyone = [alice, bob, carol]

    assert.deepEqual(await request(alice, {message: 'join', room: 'a'}), {joined: 'a'})
    assert.deepEqual(await request(bob, {message: 'join', room: 'a'}), {joined: 'a'})
    assert.deepEqual(await request(carol, {message: 'join', room: 'b'}), {joined: 'b'})
    const invalidRoom = {
      error:
        'Invalid room name "not a room!": use 1 to 64 letters, digits, "_", "." or "-", e.g. "lobby". Send {"message":"join","room":"lobby"}',
    }
    assert.deepEqual(await request(carol, {message: 'join', room: 'not a room!'}), invalidRoom)
    await settle(everyone)

    // Room a: alice and bob, the sender included; carol nothing.
    alice.client.send(JSON.stringify({message: 'sendmessage', room: 'a', data: 'hello a'}))
    const inA = {room: 'a', from: alice.id, data: 'hello a'}
    assert.deepEqual(await next(alice), inA)
    assert.deepEqual(await next(bob), inA)
    // Room b: carol alone.
    carol.client.send(JSON.stringify({message: 'sendmessage', room: 'b', data: 'hello b'}))
    assert.deepEqual(await next(carol), {room: 'b', from: carol.id, data: 'hello b'})
    await settle(everyone)

    // A room carol has not joined: refused, to carol alone.
    const refused = (await request(carol, {message: 'sendmessage', room: 'a', data: 'let me in'})) as {
      error: string
      room: string
    }
    assert.equal(refused.room, 'a')
    assert.match(refused.error, /You have not joined room "a"/)
    await settle(everyone)

    // Direct: to bob's connection only; to every connection of user alice (a second one, in no room).
    carol.client.send(JSON.stringify({message: 'sendmessage', to: bob.id, data: 'psst bob'}))
    assert.deepEqual(await next(bob), {from: carol.id, to: bob.id, data: 'psst bob'})
    const alice2 = await member('alice on another device', 'alice')
    carol.client.send(JSON.stringify({message: 'sendmessage', to: 'user:alice', data: 'hi alice'}))
    assert.deepEqual(await next(alice), {from: carol.id, to: 'user:alice', data: 'hi alice'})
    assert.deepEqual(await next(alice2), {from: carol.id, to: 'user:alice', data: 'hi alice'})
    await settle([...everyone, alice2])

    // Bob leaves a: nothing more from it.
    assert.deepEqual(await request(bob, {message: 'leave', room: 'a'}), {left: 'a'})
    alice.client.send(JSON.stringify({message: 'sendmessage', room: 'a', data: 'bob has gone'}))
    assert.deepEqual(await next(alice), {room: 'a', from: alice.id, data: 'bob has gone'})
    await settle([...everyone, alice2])

    // Alice disconnects: $disconnect takes her out of room a, and a message to her id says she has gone.
    const membershipsOf = async (id: string) => {
      const {Items: items = []} = await dynamodb.send(
        new ScanCommand({TableName: dev.ready.tables.find((table) => table.logicalId === 'MembershipsTable')!.name}),
      )
      return items.filter((item) => item.connectionId?.S === id).map((item) => item.room?.S)
    }

    assert.deepEqual(await membershipsOf(alice.id), ['a'])
    alice.client.close()
    await alice.client.closed
    // Until $disconnect has run; the deadline only turns a missing cleanup into a failure.
    const deadline = Date.now() + 60_000
    while ((await membershipsOf(alice.id)).length > 0) {
      assert.ok(Date.now() < deadline, '$disconnect did not take alice out of her rooms')
      await sleep(25)
    }

    assert.deepEqual(await request(bob, {message: 'join', room: 'a'}), {joined: 'a'})
    bob.client.send(JSON.stringify({message: 'sendmessage', room: 'a', data: 'anyone?'}))
    assert.deepEqual(await next(bob), {room: 'a', from: bob.id, data: 'anyone?'})
    assert.deepEqual(await request(bob, {message: 'sendmessage', to: alice.id, data: 'still there?'}), {
      error: 'gone',
      to: alice.id,
    })
    await settle([bob, carol, alice2])

    // Everything each one received, and nothing else.
    assert.deepEqual(alice.received, [
      {joined: 'a'},
      inA,
      {from: carol.id, to: 'user:alice', data: 'hi alice'},
      {room: 'a', from: alice.id, data: 'bob has gone'},
    ])
    assert.deepEqual(alice2.received, [{from: carol.id, to: 'user:alice', data: 'hi alice'}])
    assert.deepEqual(bob.received, [
      {joined: 'a'},
      inA,
      {from: carol.id, to: bob.id, data: 'psst bob'},
      {left: 'a'},
      {joined: 'a'},
      {room: 'a', from: bob.id, data: 'anyone?'},
      {error: 'gone', to: alice.id},
    ])
    assert.deepEqual(carol.received, [
      {joined: 'b'},
      invalidRoom,
      {room: 'b', from: carol.id, data: 'hello b'},
      refused,
    ])
  })
})

describe('wsapi dev: a room at least --fanout-inline-max strong goes through the fan-out function', function () {
  this.timeout(120_000)
  let dev: DevProcess

  before(async () => {
    dev = await startDev(scaffoldProject({fanoutInlineMax: 2, fanoutShards: 2, rooms: true}))
  })

  after(async () => {
    await dev?.stop()
  })

  it("delivers to each of the room's three members, in shards that carry them, and to nobody outside it", async () => {
    const clients = await Promise.all([0, 1, 2, 3].map(() => connect(dev.ready.url)))
    const [first, second, third, outsider] = clients
    for (const client of [first, second, third]) {
      client.send('{"message":"join","room":"big"}')

      assert.equal(await client.next(), '{"joined":"big"}')
    }

    first.send('{"message":"whoami"}')
    const {connectionId} = JSON.parse(await first.next()) as {connectionId: string}
    first.send('{"message":"sendmessage","room":"big","data":"to the many"}')
    const expected = {room: 'big', from: connectionId, data: 'to the many'}
    for (const client of [first, second, third]) assert.deepEqual(JSON.parse(await client.next()), expected)
    // The route handed the room to the fan-out function: its shard lines are in the log.
    await dev.waitForLog(/"msg":"shard"/)
    // The outsider's next frame is its own whoami reply: nothing from the room came before it.
    outsider.send('{"message":"whoami"}')
    assert.deepEqual(Object.keys(JSON.parse(await outsider.next()) as object), ['connectionId', 'principalId', 'rooms'])
    for (const client of clients) client.close()
  })
})
