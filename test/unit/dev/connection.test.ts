import assert from 'node:assert/strict'

import {Connection, ConnectionRegistry} from '../../../src/lib/dev/connection.js'

const connection = (connectionId: string) =>
  new Connection({
    apiId: 'abcdefghij',
    connectedAt: 1000,
    connectionId,
    domainName: '127.0.0.1:3001',
    sourceIp: '127.0.0.1',
    stage: 'v1',
  })

describe('dev: connections', () => {
  it('start pending, named by their id, last active when they connected', () => {
    const one = connection('a=')
    assert.equal(one.id, 'a=')
    assert.equal(one.state, 'pending')
    assert.equal(one.lastActiveAt, 1000)
    assert.equal(one.disconnected, false)
  })

  it('are listed as open only once their handshake completed and until they close', () => {
    const registry = new ConnectionRegistry()
    const pending = connection('p=')
    const open = connection('o=')
    const closing = connection('c=')
    open.state = 'open'
    closing.state = 'closing'
    for (const each of [pending, open, closing]) registry.add(each)
    assert.deepEqual(registry.open(), [open])
    assert.equal(registry.all().length, 3)
    assert.equal(registry.size, 3)
    assert.equal(registry.get('o='), open)
  })

  it('are deleted only by the same connection, not by an older one with the id', () => {
    const registry = new ConnectionRegistry()
    const older = connection('x=')
    const newer = connection('x=')
    registry.add(older)
    registry.add(newer)
    registry.delete(older)
    assert.equal(registry.get('x='), newer)
    registry.delete(newer)
    assert.equal(registry.get('x='), undefined)
    assert.equal(registry.size, 0)
  })
})
