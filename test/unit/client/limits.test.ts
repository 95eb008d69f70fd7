import assert from 'node:assert/strict'

import {API_GATEWAY_LIMITS} from '../../../src/lib/apigw/limits.js'
import {CLIENT_MAX_PAYLOAD_BYTES} from '../../../src/lib/client/limits.js'

describe('client limits', () => {
  it('accept every message API Gateway can send, and bound what one message can make a client hold', () => {
    assert.ok(CLIENT_MAX_PAYLOAD_BYTES >= API_GATEWAY_LIMITS.maxMessageBytes)
    assert.equal(CLIENT_MAX_PAYLOAD_BYTES, 4 * 1024 * 1024)
  })
})
