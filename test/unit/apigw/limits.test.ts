import assert from 'node:assert/strict'

import {MAX_CONNECTION_SECONDS, MAX_MESSAGE_BYTES} from '../../../runtime/limits.js'
import {API_GATEWAY_LIMITS, APIGW_CONNECT_RATE_QUOTA} from '../../../src/lib/apigw/limits.js'

describe('API Gateway limits', () => {
  it('are the documented WebSocket quotas', () => {
    assert.deepEqual(API_GATEWAY_LIMITS, {
      idleTimeoutMs: 600_000,
      integrationTimeoutMs: 29_000,
      maxAuthorizerResultBytes: 8192,
      maxDurationMs: 7_200_000,
      maxFrameBytes: 32_768,
      maxMessageBytes: 131_072,
      maxUrlLength: 4096,
    })
    assert.equal(APIGW_CONNECT_RATE_QUOTA, 500)
  })

  it("take the message size and connection lifetime from runtime/, the generated handlers' copy", () => {
    assert.equal(API_GATEWAY_LIMITS.maxMessageBytes, MAX_MESSAGE_BYTES)
    assert.equal(API_GATEWAY_LIMITS.maxDurationMs, MAX_CONNECTION_SECONDS * 1000)
  })
})
