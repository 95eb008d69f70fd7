import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {devStatePath, loadProject} from '../../../src/lib/project/index.js'
import {checkParameterValues, type ReloadEvent, startDevServer} from '../../../src/lib/dev/server.js'
import {openSocket, outputLine, startTestServer, testProject} from '../../helpers/dev-server.js'

describe('dev: the server starts, listens and stops', function () {
  this.timeout(60_000)

  it('reports its endpoints, routes and tables, writes its record and log for connect, bench and logs, and removes the record on close', async () => {
    const {dir, output, server} = await startTestServer()
    const record = devStatePath(dir)
    try {
      assert.equal(server.url, `ws://127.0.0.1:${server.port}/v1`)
      assert.equal(server.managementEndpoint, `http://127.0.0.1:${server.port}/v1`)
      assert.equal(server.stage, 'v1')
      assert.equal(server.project, 'chat')
      assert.deepEqual(
        server.routes.map((route) => [route.key, route.functionId, route.twoWay]),
        [
          ['$connect', 'ConnectFunction', false],
          ['$disconnect', 'DisconnectFunction', false],
          ['sendmessage', 'SendmessageFunction', false],
          ['$default', 'DefaultFunction', true],
        ],
      )
      assert.deepEqual(server.tables, [{logicalId: 'ConnectionsTable', name: 'chat-v1-ConnectionsTable'}])
      assert.match(server.dynamodbEndpoint, /^http:\/\/127\.0\.0\.1:\d+$/)
      const state = JSON.parse(readFileSync(record, 'utf8')) as {pid: number; url: string}
      assert.equal(state.url, server.url)
      assert.equal(state.pid, process.pid)
      assert.ok(existsSync(join(dir, '.wsapi', 'dev', String(process.pid))), 'the bundles folder')
      // What it logs goes to .wsapi/dev.log too, for `wsapi logs`.
      await openSocket(`ws://${server.host}:${server.port}/elsewhere`).catch(() => {})
      await outputLine(output, /Refused a connection to \/elsewhere/)
    } finally {
      await server.close()
    }

    assert.equal(existsSync(record), false)
    assert.equal(existsSync(join(dir, '.wsapi', 'dev')), false)
    assert.ok(existsSync(join(dir, '.wsapi', 'dev.log')))
  })

  it('with writeState off (benchmarks in process), writes neither its record nor .wsapi/dev.log', async () => {
    const {dir, output, server} = await startTestServer({writeState: false})
    try {
      // A refused connection is logged: with the log file on, it would be written.
      await openSocket(`ws://${server.host}:${server.port}/elsewhere`).catch(() => {})
      await outputLine(output, /Refused a connection to \/elsewhere/)
      assert.equal(existsSync(devStatePath(dir)), false)
    } finally {
      await server.close()
    }

    assert.equal(existsSync(join(dir, '.wsapi', 'dev.log')), false)
  })

  it('tells onReload of each hot reload, set after start', async () => {
    const {dir, server} = await startTestServer({watch: true})
    try {
      const reloaded = new Promise<ReloadEvent>((resolve) => (server.onReload = resolve))
      writeFileSync(
        join(dir, 'src', 'handlers', 'default.ts'),
        "export const handler = async () => ({body: 'v2', statusCode: 200})\n",
      )
      const event = await reloaded
      assert.deepEqual(event.functions, ['DefaultFunction'])
      assert.equal(event.error, undefined)
      assert.ok(event.durationMs >= 0)
    } finally {
      await server.close()
    }
  })

  it('says which port is in use and what to do', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    try {
      const {port} = taken.address() as AddressInfo
      await assert.rejects(
        startDevServer({dir: testProject(), port, watch: false}),
        (error: Error & {code?: string}) => {
          assert.equal(error.code, 'PORT_IN_USE')
          assert.equal(
            error.message,
            `Port ${port} on 127.0.0.1 is in use: stop what runs there, or pass --port <n> (--port 0 picks a free one).`,
          )
          return true
        },
      )
    } finally {
      taken.close()
    }
  })

  it('refuses a --parameter value the template constrains, before listening', () => {
    const project = loadProject(testProject())
    assert.doesNotThrow(() => checkParameterValues(project, {}))
    const constrained = {
      ...project,
      template: {
        ...project.template,
        Parameters: {...project.template.Parameters, Size: {AllowedValues: ['small'], Type: 'String'}},
      },
    }
    assert.throws(() => checkParameterValues(constrained, {Size: 'large'}), /^UsageError: Invalid --parameter .*Size/)
  })
})
