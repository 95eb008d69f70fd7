import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'

import {
  type DevServerState,
  devSecretsPath,
  devStatePath,
  liveDevServers,
  outputsStatePath,
  portAnswers,
  readDevSecrets,
  readDevState,
  readDevStates,
  readOutputsState,
  removeDevState,
  writeDevSecrets,
  writeDevState,
  writeOutputsState,
} from '../../../src/lib/project/state.js'
import {tempDir} from '../../helpers/tmp.js'

/** A pid above Linux's largest (pid_max is at most 2^22): no process has it. */
const DEAD_PID = 2 ** 22 + 7

function devState(pid: number, startedAt: string, url = 'ws://127.0.0.1:3001/v1'): DevServerState {
  return {
    managementEndpoint: url.replace(/^ws/, 'http'),
    pageUrl: url.replace(/^ws/, 'http'),
    pid,
    stage: 'v1',
    startedAt,
    url,
  }
}

async function listening(): Promise<{port: number; server: Server}> {
  const server = createServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {port: (server.address() as {port: number}).port, server}
}

describe('project state (.wsapi/)', () => {
  it('paths: one dev record per pid, outputs per stage, the dev secrets', () => {
    assert.equal(devStatePath('/p', 42), join('/p', '.wsapi', 'dev', '42.json'))
    assert.equal(devStatePath('/p'), join('/p', '.wsapi', 'dev', `${process.pid}.json`))
    assert.equal(outputsStatePath('/p', 'prod'), join('/p', '.wsapi', 'outputs', 'prod.json'))
    assert.equal(devSecretsPath('/p'), join('/p', '.wsapi', 'dev-secrets.json'))
  })

  it('dev records: those of running processes, the one started last first; a dead, broken or duplicate record is skipped', () => {
    const dir = tempDir()
    writeDevState(dir, devState(process.pid, '2026-12-04T10:00:00.000Z'))
    writeDevState(dir, devState(process.ppid, '2026-12-04T11:00:00.000Z'))
    writeDevState(dir, devState(DEAD_PID, '2026-12-04T12:00:00.000Z'))
    writeFileSync(join(dir, '.wsapi', 'dev', '99.json'), '{half a file')
    // wsapi 0.x's single record, of a process that also wrote a new one: counted once.
    writeFileSync(join(dir, '.wsapi', 'dev.json'), JSON.stringify(devState(process.pid, '2026-12-04T10:00:00.000Z')))
    assert.deepEqual(
      readDevStates(dir).map((state) => state.pid),
      [process.ppid, process.pid],
    )
    assert.equal(readDevState(dir)?.pid, process.ppid)
    // Written whole (no temporary file left) and readable by others (no secrets in it).
    assert.deepEqual(
      readdirSync(join(dir, '.wsapi', 'dev')).sort(),
      [`${DEAD_PID}.json`, `${process.pid}.json`, `${process.ppid}.json`, '99.json'].sort(),
    )
    assert.equal(statSync(devStatePath(dir)).mode & 0o777, 0o644)
    // Whatever the umask took away.
    const umask = process.umask(0o077)
    try {
      writeDevState(dir, devState(process.pid, '2026-12-04T10:00:00.000Z'))
    } finally {
      process.umask(umask)
    }

    assert.equal(statSync(devStatePath(dir)).mode & 0o777, 0o644)
  })

  it("removeDevState removes this server's records only, the old single one included when it is this server's", () => {
    const dir = tempDir()
    writeDevState(dir, devState(process.pid, '2026-12-04T10:00:00.000Z'))
    writeDevState(dir, devState(process.ppid, '2026-12-04T11:00:00.000Z'))
    writeFileSync(join(dir, '.wsapi', 'dev.json'), JSON.stringify(devState(process.pid, '2026-12-04T10:00:00.000Z')))
    removeDevState(dir)
    assert.ok(!existsSync(devStatePath(dir)) && !existsSync(join(dir, '.wsapi', 'dev.json')))
    assert.ok(existsSync(devStatePath(dir, process.ppid)))
    writeFileSync(join(dir, '.wsapi', 'dev.json'), JSON.stringify(devState(process.ppid, '2026-12-04T10:00:00.000Z')))
    removeDevState(dir)
    assert.ok(existsSync(join(dir, '.wsapi', 'dev.json')), "another server's old record stays")
    assert.equal(readDevState(tempDir()), undefined, 'a project never run')
  })

  it('portAnswers and liveDevServers: a record counts only when its port answers', async () => {
    const open = await listening()
    const closed = await listening()
    await new Promise((resolve) => closed.server.close(resolve))
    try {
      assert.equal(await portAnswers(`ws://127.0.0.1:${open.port}/v1`), true)
      assert.equal(await portAnswers(`ws://127.0.0.1:${closed.port}/v1`), false)
      const dir = tempDir()
      writeDevState(dir, devState(process.pid, '2026-12-04T10:00:00.000Z', `ws://127.0.0.1:${open.port}/v1`))
      writeDevState(dir, devState(process.ppid, '2026-12-04T11:00:00.000Z', `ws://127.0.0.1:${closed.port}/v1`))
      assert.deepEqual(
        (await liveDevServers(dir)).map((state) => state.pid),
        [process.pid],
      )
    } finally {
      open.server.close()
    }
  })

  it('deploy outputs: written per stage and read back; a file without outputs is no record', () => {
    const dir = tempDir()
    const state = {
      deployedAt: '2026-12-04T10:00:00.000Z',
      outputs: {WebSocketUrl: 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod'},
      region: 'eu-west-1',
      stackName: 'chat-prod',
      stage: 'prod',
    }
    writeOutputsState(dir, state)
    assert.deepEqual(readOutputsState(dir, 'prod'), state)
    assert.equal(readOutputsState(dir, 'v1'), undefined)
    assert.match(readFileSync(outputsStatePath(dir, 'prod'), 'utf8'), /^\{\n {2}"deployedAt"/)
    writeFileSync(outputsStatePath(dir, 'prod'), '{"stage":"prod"}')
    assert.equal(readOutputsState(dir, 'prod'), undefined)
  })

  it('dev secrets: only this user may read the file, whatever the umask; values that are not strings are dropped', () => {
    const dir = tempDir()
    const umask = process.umask(0)
    try {
      writeDevSecrets(dir, {AuthTokenSecret: 'generated-0123456789'})
    } finally {
      process.umask(umask)
    }

    assert.equal(statSync(devSecretsPath(dir)).mode & 0o777, 0o600)
    assert.deepEqual(readDevSecrets(dir), {AuthTokenSecret: 'generated-0123456789'})
    writeFileSync(devSecretsPath(dir), '{"A":"a","B":1,"C":null}')
    assert.deepEqual(readDevSecrets(dir), {A: 'a'})
    writeFileSync(devSecretsPath(dir), 'not json')
    assert.deepEqual(readDevSecrets(dir), {})
    mkdirSync(join(tempDir(), 'empty'))
    assert.deepEqual(readDevSecrets(tempDir()), {})
  })
})
