import assert from 'node:assert/strict'

import {resolveTarget} from '../../../src/lib/client/target.js'
import {tokenTransport} from '../../../src/lib/client/token.js'
import {scaffoldProject} from '../../helpers/project.js'

describe('--token transport', () => {
  it('a jwt project takes the token in Sec-WebSocket-Protocol after bearer, and leaves the URL alone', async () => {
    const target = await resolveTarget({dir: scaffoldProject({auth: 'jwt'}), url: 'ws://127.0.0.1:3001/v1'})
    assert.equal(target.tokenProtocol, 'bearer')
    assert.deepEqual(tokenTransport(target, 'aaa.bbb.ccc'), {
      subprotocols: ['bearer', 'aaa.bbb.ccc'],
      url: 'ws://127.0.0.1:3001/v1',
    })
  })

  it('a token project, or no project, takes it as the token query string', async () => {
    const target = await resolveTarget({dir: scaffoldProject({auth: 'token'}), url: 'ws://127.0.0.1:3001/v1'})
    assert.equal(target.tokenProtocol, undefined)
    assert.deepEqual(tokenTransport(target, 's3cret'), {subprotocols: [], url: 'ws://127.0.0.1:3001/v1?token=s3cret'})
    assert.deepEqual(tokenTransport({url: 'ws://h/v1'}, undefined), {subprotocols: [], url: 'ws://h/v1'})
  })
})
