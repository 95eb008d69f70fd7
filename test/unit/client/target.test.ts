import assert from 'node:assert/strict'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'

import {resolveTarget} from '../../../src/lib/client/target.js'
import {devStatePath, removeDevState, writeDevState, writeOutputsState} from '../../../src/lib/project/state.js'
import {scaffoldProject} from '../../helpers/project.js'
import {tempDir} from '../../helpers/tmp.js'

/** A TCP listener standing in for a dev server's port. */
async function listener(): Promise<{port: number; server: Server}> {
  const server = createServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {port: (server.address() as {port: number}).port, server}
}

const devState = (pid: number, port: number, startedAt = new Date().toISOString()) => ({
  integrationTimeoutMs: 2000,
  managementEndpoint: `http://127.0.0.1:${port}/v1`,
  pageUrl: `http://127.0.0.1:${port}/`,
  pid,
  stage: 'v1',
  startedAt,
  url: `ws://127.0.0.1:${port}/v1`,
})

describe('client target', () => {
  const servers: Server[] = []
  afterEach(() => {
    for (const server of servers.splice(0)) server.close()
  })

  it('prefers the argument, then a running dev server, then the last deploy', async () => {
    const dir = scaffoldProject()
    await assert.rejects(resolveTarget({dir}), /Nothing to connect to for chat: start `wsapi dev`/)

    writeOutputsState(dir, {
      deployedAt: '',
      outputs: {WebSocketUrl: 'wss://abc.execute-api.eu-west-1.amazonaws.com/v1'},
      region: 'eu-west-1',
      stackName: 'chat-v1',
      stage: 'v1',
    })
    assert.deepEqual(await resolveTarget({dir}), {
      projectStage: 'v1',
      route: 'sendmessage',
      routeField: ['message'],
      routeSelection: '$request.body.message',
      source: 'deploy',
      url: 'wss://abc.execute-api.eu-west-1.amazonaws.com/v1',
    })
    await assert.rejects(resolveTarget({dir, stage: 'prod'}), /deploy stage prod/)

    const {port, server} = await listener()
    servers.push(server)
    writeDevState(dir, devState(process.pid, port))
    const dev = await resolveTarget({dir})
    assert.equal(dev.source, 'dev')
    assert.deepEqual(dev.dev, {integrationTimeoutMs: 2000, pid: process.pid})
    assert.equal(dev.notice, undefined)
    assert.equal((await resolveTarget({dir, url: 'ws://other:1/x'})).url, 'ws://other:1/x')
    removeDevState(dir)
    assert.equal((await resolveTarget({dir})).source, 'deploy')
  })

  it('ignores the record of a dev server that is gone, or whose port no longer answers', async () => {
    const dir = scaffoldProject()
    const {port, server} = await listener()
    writeDevState(dir, devState(2 ** 22 + 12_345, port))
    servers.push(server)
    await assert.rejects(resolveTarget({dir}), /Nothing to connect to/)
    server.close()
    const closed = new Promise((resolve) => server.once('close', resolve))
    await closed
    writeDevState(dir, devState(process.pid, port))
    await assert.rejects(resolveTarget({dir}), /Nothing to connect to/)
  })

  it('finds every running dev server of a project: picks the one started last and says so; each removes only its own record', async () => {
    const dir = scaffoldProject()
    const first = await listener()
    const second = await listener()
    servers.push(first.server, second.server)
    // The parent process (the test runner's) stands in for a second live dev server.
    writeDevState(dir, devState(process.ppid, first.port, '2026-01-01T00:00:00.000Z'))
    writeDevState(dir, devState(process.pid, second.port, '2026-01-01T00:00:05.000Z'))
    const target = await resolveTarget({dir})
    assert.equal(target.url, `ws://127.0.0.1:${second.port}/v1`)
    assert.match(
      target.notice ?? '',
      new RegExp(
        `^2 wsapi dev servers run in this project: using the one started last \\(pid ${process.pid}, .*pid ${process.ppid} serves ws://127.0.0.1:${first.port}/v1`,
      ),
    )

    removeDevState(dir, process.pid)
    assert.equal(existsSync(devStatePath(dir, process.ppid)), true, "the other server's record stays")
    const remaining = await resolveTarget({dir})
    assert.equal(remaining.url, `ws://127.0.0.1:${first.port}/v1`)
    assert.equal(remaining.notice, undefined)
  })

  it('still reads the .wsapi/dev.json of an older wsapi dev', async () => {
    const dir = scaffoldProject()
    const {port, server} = await listener()
    servers.push(server)
    mkdirSync(join(dir, '.wsapi'), {recursive: true})
    writeFileSync(join(dir, '.wsapi', 'dev.json'), JSON.stringify(devState(process.pid, port)))
    assert.equal((await resolveTarget({dir})).source, 'dev')
  })

  it('works without a project when given a URL', async () => {
    assert.deepEqual(await resolveTarget({dir: tempDir(), url: 'ws://127.0.0.1:9/x'}), {
      source: 'argument',
      url: 'ws://127.0.0.1:9/x',
    })
    await assert.rejects(resolveTarget({dir: tempDir()}), /No URL given and no template.yaml/)
  })
})
