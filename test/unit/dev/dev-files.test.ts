import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {removeServerFiles, sdkLinksDir, serverDir, writeServerRecord} from '../../../src/lib/dev/dev-files.js'
import {LOCAL_CALLER} from '../../../src/lib/dev/iam.js'
import type {DevServer} from '../../../src/lib/dev/server-types.js'
import {devStatePath, type DevServerState} from '../../../src/lib/project/index.js'
import {tempDir} from '../../helpers/tmp.js'

/** What writeServerRecord reads of a running server. */
function server(iam: boolean): DevServer {
  return {
    dynamodbEndpoint: 'http://127.0.0.1:4000',
    iamCaller: iam ? {accessKeyId: LOCAL_CALLER.accessKeyId, userArn: LOCAL_CALLER.userArn} : undefined,
    managementEndpoint: 'http://127.0.0.1:3001/v1',
    pageUrl: 'http://127.0.0.1:3001/',
    stage: 'v1',
    tables: [{logicalId: 'ConnectionsTable', name: 'chat-v1-ConnectionsTable'}],
    url: 'ws://127.0.0.1:3001/v1',
  } as DevServer
}

describe('dev: the files a running server keeps under .wsapi/dev', () => {
  it('lays out a folder per server and one of SDK links the servers share', () => {
    const dir = tempDir()
    assert.equal(serverDir(dir), join(dir, '.wsapi', 'dev', String(process.pid)))
    assert.equal(sdkLinksDir(dir), join(dir, '.wsapi', 'dev', 'node_modules'))
  })

  it('writes the record connect and bench read, with the SigV4 caller only when a route takes AWS_IAM', () => {
    const dir = tempDir()
    writeServerRecord(dir, server(false), {integrationTimeoutMs: 29_000, region: 'eu-west-1'})
    const record = JSON.parse(readFileSync(devStatePath(dir), 'utf8')) as DevServerState
    assert.equal(record.url, 'ws://127.0.0.1:3001/v1')
    assert.equal(record.managementEndpoint, 'http://127.0.0.1:3001/v1')
    assert.equal(record.pageUrl, 'http://127.0.0.1:3001/')
    assert.equal(record.dynamodbEndpoint, 'http://127.0.0.1:4000')
    assert.equal(record.integrationTimeoutMs, 29_000)
    assert.equal(record.pid, process.pid)
    assert.equal(record.stage, 'v1')
    assert.deepEqual(record.tables, [{logicalId: 'ConnectionsTable', name: 'chat-v1-ConnectionsTable'}])
    assert.ok(!Number.isNaN(Date.parse(record.startedAt)))
    assert.equal(record.sigv4, undefined)
    assert.equal(record.jwtIssuer, undefined)

    writeServerRecord(dir, server(true), {integrationTimeoutMs: 29_000, region: 'eu-west-1'})
    const signed = JSON.parse(readFileSync(devStatePath(dir), 'utf8')) as DevServerState
    assert.deepEqual(signed.sigv4, {
      accessKeyId: LOCAL_CALLER.accessKeyId,
      region: 'eu-west-1',
      secretAccessKey: LOCAL_CALLER.secretAccessKey,
      userArn: LOCAL_CALLER.userArn,
    })
  })

  it("removes the server's record and folder on close, and .wsapi/dev with the project's last server", () => {
    const dir = tempDir()
    writeServerRecord(dir, server(false), {integrationTimeoutMs: 29_000, region: 'us-east-1'})
    mkdirSync(join(serverDir(dir), 'bundle'), {recursive: true})
    mkdirSync(sdkLinksDir(dir), {recursive: true})
    // Another server of the project still runs: its record, and the shared SDK links, stay.
    writeFileSync(join(dir, '.wsapi', 'dev', '1.json'), '{}')
    removeServerFiles(dir, true)
    assert.equal(existsSync(devStatePath(dir)), false)
    assert.equal(existsSync(serverDir(dir)), false)
    assert.ok(existsSync(sdkLinksDir(dir)))

    rmSync(join(dir, '.wsapi', 'dev', '1.json'))
    removeServerFiles(dir, true)
    assert.equal(existsSync(join(dir, '.wsapi', 'dev')), false)
  })

  it('leaves the record alone when the server did not write one (writeState off)', () => {
    const dir = tempDir()
    writeServerRecord(dir, server(false), {integrationTimeoutMs: 29_000, region: 'us-east-1'})
    removeServerFiles(dir, false)
    assert.ok(existsSync(devStatePath(dir)))
  })
})
