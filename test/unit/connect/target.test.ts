import assert from 'node:assert/strict'

import {normalizeUrl, resolveTarget} from '../../../src/lib/connect/target.js'
import {removeDevState, writeDevState, writeOutputsState} from '../../../src/lib/project/state.js'
import {scaffoldProject} from '../../helpers/project.js'
import {tempDir} from '../../helpers/tmp.js'

const devState = (pid: number) => ({
  managementEndpoint: 'http://127.0.0.1:4000/v1',
  pageUrl: 'http://127.0.0.1:4000/',
  pid,
  stage: 'v1',
  startedAt: new Date().toISOString(),
  url: 'ws://127.0.0.1:4000/v1',
})

describe('client target', () => {
  it('normalizes URLs like wscat', () => {
    assert.equal(normalizeUrl('127.0.0.1:3001/v1'), 'ws://127.0.0.1:3001/v1')
    assert.equal(normalizeUrl('https://abc.example.com/v1'), 'wss://abc.example.com/v1')
    assert.throws(() => normalizeUrl('ftp://x'), /scheme must be ws:\/\/ or wss:\/\//)
    assert.throws(() => normalizeUrl('ws://'), /Invalid URL "ws:\/\/"/)
  })

  it('prefers the argument, then a running dev server, then the last deploy', () => {
    const dir = scaffoldProject()
    assert.throws(() => resolveTarget({dir}), /Nothing to connect to for chat: start `wsapi dev`/)

    writeOutputsState(dir, {deployedAt: '', outputs: {WebSocketUrl: 'wss://abc.execute-api.eu-west-1.amazonaws.com/v1'}, region: 'eu-west-1', stackName: 'chat-v1', stage: 'v1'})
    assert.deepEqual(resolveTarget({dir}), {route: 'sendmessage', routeField: ['message'], routeSelection: '$request.body.message', source: 'deploy', url: 'wss://abc.execute-api.eu-west-1.amazonaws.com/v1'})
    assert.throws(() => resolveTarget({dir, stage: 'prod'}), /deploy stage prod/)

    writeDevState(dir, devState(process.pid))
    assert.equal(resolveTarget({dir}).source, 'dev')
    assert.equal(resolveTarget({dir, url: 'ws://other:1/x'}).url, 'ws://other:1/x')
    removeDevState(dir)
    assert.equal(resolveTarget({dir}).source, 'deploy')
  })

  it('ignores the state of a dev server that is gone', () => {
    const dir = scaffoldProject()
    writeDevState(dir, devState(2 ** 22 + 12_345))
    assert.throws(() => resolveTarget({dir}), /Nothing to connect to/)
  })

  it('works without a project when given a URL', () => {
    assert.deepEqual(resolveTarget({dir: tempDir(), url: 'ws://127.0.0.1:9/x'}), {source: 'argument', url: 'ws://127.0.0.1:9/x'})
    assert.throws(() => resolveTarget({dir: tempDir()}), /No URL given and no template.yaml/)
  })
})
