import assert from 'node:assert/strict'

import {runCli} from '../helpers/cli.js'
import {connect, type DevProcess, startDev, type TestClient} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

interface Listed {
  connections: Array<{connectionId: string; principal?: string; rooms?: string[]}>
}

describe('wsapi connections against wsapi dev of `wsapi init --rooms --auth jwt`: principal and rooms', function () {
  this.timeout(180_000)
  let dev: DevProcess
  let dir: string
  const clients: TestClient[] = []

  const token = async (sub: string) => {
    const result = await runCli(['token', '--dir', dir, '--sub', sub])
    assert.equal(result.code, 0, result.stderr)
    return result.stdout.trim()
  }

  /** Sends a request and returns the reply (the next frame). */
  const request = async (client: TestClient, body: Record<string, unknown>) => {
    client.send(JSON.stringify(body))
    return JSON.parse(await client.next()) as Record<string, unknown>
  }

  const listed = async () => {
    const result = await runCli(['connections', '--dir', dir, '--json'])
    assert.equal(result.code, 0, result.stderr)
    const {connections} = JSON.parse(result.stdout) as Listed
    return Object.fromEntries(
      connections.map((row) => [row.connectionId, {principal: row.principal, rooms: row.rooms}]),
    )
  }

  before(async () => {
    dir = scaffoldProject({auth: 'jwt', rooms: true})
    dev = await startDev(dir)
  })

  after(async () => {
    for (const client of clients) client.close()
    await dev?.stop()
  })

  it('two clients in rooms: --json shows each principal and its rooms; after leave the room is gone', async () => {
    const alice = await connect(dev.ready.url, {protocols: ['bearer', await token('alice')]})
    const bob = await connect(dev.ready.url, {protocols: ['bearer', await token('bob')]})
    clients.push(alice, bob)
    const aliceId = (await request(alice, {message: 'whoami'})).connectionId as string
    const bobId = (await request(bob, {message: 'whoami'})).connectionId as string
    assert.deepEqual(await request(alice, {message: 'join', room: 'lobby'}), {joined: 'lobby'})
    assert.deepEqual(await request(alice, {message: 'join', room: 'dev'}), {joined: 'dev'})
    assert.deepEqual(await request(bob, {message: 'join', room: 'lobby'}), {joined: 'lobby'})

    // The joins are answered after their memberships are written, so the listing sees them.
    assert.deepEqual(await listed(), {
      [aliceId]: {principal: 'alice', rooms: ['dev', 'lobby']},
      [bobId]: {principal: 'bob', rooms: ['lobby']},
    })

    assert.deepEqual(await request(alice, {message: 'leave', room: 'lobby'}), {left: 'lobby'})
    assert.deepEqual(await listed(), {
      [aliceId]: {principal: 'alice', rooms: ['dev']},
      [bobId]: {principal: 'bob', rooms: ['lobby']},
    })

    const table = await runCli(['connections', '--dir', dir])
    assert.equal(table.code, 0, table.stderr)
    assert.match(table.stdout, /Principal/)
    assert.match(table.stdout, /Rooms/)
  })
})
