import assert from 'node:assert/strict'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import {listen, urlHost} from '../../../src/lib/dev/listen.js'

describe('dev: where the server listens', () => {
  it('names a wildcard address by loopback in its URLs, and brackets IPv6', () => {
    assert.equal(urlHost('0.0.0.0'), '127.0.0.1')
    assert.equal(urlHost('::'), '127.0.0.1')
    assert.equal(urlHost(''), '127.0.0.1')
    assert.equal(urlHost('::1'), '[::1]')
    assert.equal(urlHost('127.0.0.1'), '127.0.0.1')
    assert.equal(urlHost('localhost'), 'localhost')
  })

  it('listens on port 0 at a free port, and says a taken port is in use and what to do', async () => {
    const first = createServer()
    const second = createServer()
    try {
      const {port} = await listen(first, '127.0.0.1', 0)
      assert.ok(port > 0)
      assert.equal((first.address() as AddressInfo).port, port)
      await assert.rejects(listen(second, '127.0.0.1', port), (error: Error & {code?: string}) => {
        assert.equal(error.code, 'PORT_IN_USE')
        assert.equal(
          error.message,
          `Port ${port} on 127.0.0.1 is in use: stop what runs there, or pass --port <n> (--port 0 picks a free one).`,
        )
        return true
      })
      // The failed attempt left no listener behind: the server can listen elsewhere.
      assert.equal(second.listenerCount('error'), 0)
    } finally {
      first.close()
      second.close()
    }
  })

  it('says what went wrong on an address it cannot listen on', async () => {
    const server = createServer()
    await assert.rejects(listen(server, '203.0.113.1', 0), (error: Error & {code?: string}) => {
      assert.equal(error.code, 'LISTEN_FAILED')
      assert.match(error.message, /^Cannot listen on 203\.0\.113\.1:0: .+\.$/)
      return true
    })
  })
})
