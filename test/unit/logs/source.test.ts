import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'

import {devLogPath} from '../../../src/lib/dev/log.js'
import {WsapiError} from '../../../src/lib/errors.js'
import {logSource} from '../../../src/lib/logs/source.js'
import type {ProjectModel} from '../../../src/lib/project/index.js'
import {writeDevState, writeOutputsState} from '../../../src/lib/project/state.js'
import {tempDir} from '../../helpers/tmp.js'

/** logSource reads only where the project is and its stage. */
const projectIn = (dir: string, stage = 'v1') => ({dir, stage: {name: stage}}) as unknown as ProjectModel

function writeDevLog(dir: string): void {
  mkdirSync(dirname(devLogPath(dir)), {recursive: true})
  writeFileSync(devLogPath(dir), '')
}

function deployedFromHere(dir: string, stage: string): void {
  writeOutputsState(dir, {deployedAt: '2026-12-04T00:00:00Z', outputs: {}, region: 'us-east-1', stackName: 's', stage})
}

describe('logs: which log wsapi logs reads', () => {
  it("a running wsapi dev's, even when the stage was deployed from here", () => {
    const dir = tempDir()
    deployedFromHere(dir, 'v1')
    writeDevState(dir, {
      managementEndpoint: 'http://127.0.0.1:3001/v1',
      pageUrl: 'http://127.0.0.1:3001/',
      pid: process.pid,
      stage: 'v1',
      startedAt: new Date().toISOString(),
      url: 'ws://127.0.0.1:3001/v1',
    })
    assert.equal(logSource(projectIn(dir), undefined), 'dev')
    assert.equal(logSource(projectIn(dir), true), 'cloudwatch', 'asked for the deployed stage')
  })

  it("dev's log when dev ran and the stage was never deployed from here; CloudWatch once it was", () => {
    const dir = tempDir()
    writeDevLog(dir)
    assert.equal(logSource(projectIn(dir), undefined), 'dev')
    deployedFromHere(dir, 'prod')
    assert.equal(logSource(projectIn(dir), undefined), 'dev', 'another stage was deployed, not this one')
    deployedFromHere(dir, 'v1')
    assert.equal(logSource(projectIn(dir), undefined), 'cloudwatch')
  })

  it('CloudWatch for a stage deployed from here; one error (exit 1) when there is no log at all', () => {
    const dir = tempDir()
    assert.throws(
      () => logSource(projectIn(dir), undefined),
      (error: unknown) =>
        error instanceof WsapiError &&
        error.code === 'NO_LOG_SOURCE' &&
        error.exit === 1 &&
        /start `wsapi dev`, or pass --stage/.test(error.message),
    )
    deployedFromHere(dir, 'v1')
    assert.equal(logSource(projectIn(dir), undefined), 'cloudwatch')
  })
})
