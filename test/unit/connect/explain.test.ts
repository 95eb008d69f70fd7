import assert from 'node:assert/strict'

import {WsapiError} from '../../../src/lib/errors.js'
import {explainClose, isNormalClose, sizeWarning, withSourceHint} from '../../../src/lib/connect/explain.js'
import {startServer} from '../../helpers/ws-servers.js'

describe('connect explain', () => {
  it('1000 and 1001 are normal closes, nothing else', () => {
    assert.deepEqual(
      [1000, 1001, 1005, 1006, 1011, 4000].map((code) => isNormalClose(code)),
      [true, true, false, false, false, false],
    )
  })

  it('warns just past the 32 KB frame and 128 KB message limits, with exact sizes', () => {
    assert.equal(sizeWarning(32 * 1024), undefined)
    assert.match(
      sizeWarning(32 * 1024 + 1) ?? '',
      /^This message is 32,769 bytes, over API Gateway's 32 KB frame limit/,
    )
    assert.match(
      sizeWarning(128 * 1024 + 1) ?? '',
      /^This message is 131,073 bytes, over API Gateway's 128 KB message limit \(131,072 bytes\)/,
    )
  })

  it('a refused connection names where the URL came from', () => {
    const refused = () => new WsapiError('Could not connect', {code: 'CONNECTION_REFUSED'})
    assert.match(withSourceHint(refused(), 'dev').message, /\(is `wsapi dev` still running\?\)$/)
    assert.match(withSourceHint(refused(), 'deploy').message, /is the stack still there\?\)$/)
    assert.equal(withSourceHint(refused(), 'argument').message, 'Could not connect')
    assert.equal(withSourceHint(new WsapiError('x', {code: 'TLS'}), 'dev').message, 'x')
  })

  it("a 1001 from wsapi dev is dev's timeout while its port answers, dev stopping once it does not", async () => {
    const server = await startServer()
    assert.match(
      await explainClose({code: 1001, reason: ''}, 'dev', server.url),
      /the idle timeout or the connection limit of wsapi dev/,
    )
    await server.close()
    assert.match(
      await explainClose({code: 1001, reason: 'bye'}, 'dev', server.url),
      /^1001 "bye" \(going away: wsapi dev stopped; with --reconnect/,
    )
    assert.equal(
      await explainClose({code: 1001, reason: 'bye'}, 'dev', server.url, true),
      '1001 "bye" (going away: wsapi dev stopped)',
    )
    assert.doesNotMatch(await explainClose({code: 1001, reason: ''}, 'argument', server.url), /wsapi dev/)
  })
})
