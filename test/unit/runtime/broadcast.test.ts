import assert from 'node:assert/strict'

import {GoneException, type ApiGatewayManagementApiClient} from '@aws-sdk/client-apigatewaymanagementapi'

import {broadcast} from '../../../runtime/broadcast.js'
import {concurrencyFromEnv, DEFAULT_BROADCAST_CONCURRENCY} from '../../../runtime/env.js'
import {managementEndpoint} from '../../../runtime/management.js'
import {parseMessage} from '../../../runtime/message.js'

/** A management client whose send() we script: delays, failures and a log of what was posted. */
function fakeClient(behaviour: (id: string) => Promise<void> | void) {
  const posted: Array<[string, string]> = []
  let inFlight = 0
  let peak = 0
  const client = {
    async send(command: {input: {ConnectionId: string; Data: Uint8Array}}) {
      inFlight++
      peak = Math.max(peak, inFlight)
      try {
        await behaviour(command.input.ConnectionId)
        posted.push([command.input.ConnectionId, new TextDecoder().decode(command.input.Data)])
        return {}
      } finally {
        inFlight--
      }
    },
  } as unknown as ApiGatewayManagementApiClient
  return {client, peak: () => peak, posted}
}

async function* paged(pages: string[][]) {
  for (const page of pages) {
    await new Promise((resolve) => setTimeout(resolve, 1))
    yield* page
  }
}

describe('runtime broadcast', () => {
  it('sends to every recipient across pages with bounded concurrency', async () => {
    const fake = fakeClient(() => new Promise((resolve) => setTimeout(resolve, 2)))
    const ids = Array.from({length: 45}, (_, i) => `c${i}`)
    const result = await broadcast({
      client: fake.client,
      concurrency: 4,
      data: '"hi"',
      recipients: paged([ids.slice(0, 20), ids.slice(20)]),
    })
    assert.deepEqual(result, {failed: 0, gone: 0, sent: 45})
    assert.deepEqual(fake.posted.map(([id]) => id).sort(), [...ids].sort())
    assert.ok(fake.posted.every(([, data]) => data === '"hi"'))
    assert.equal(fake.peak(), 4)
  })

  it('removes gone recipients and counts other failures without throwing', async () => {
    const removed: string[] = []
    const errors: string[] = []
    const fake = fakeClient((id) => {
      if (id === 'gone') throw new GoneException({$metadata: {httpStatusCode: 410}, message: 'Gone'})
      if (id === 'bad') throw new Error('boom')
    })
    const result = await broadcast({
      client: fake.client,
      data: 'x',
      onError: (id) => errors.push(id),
      onGone: async (id) => {
        removed.push(id)
      },
      recipients: ['a', 'gone', 'bad', 'b'],
    })
    assert.deepEqual(result, {failed: 1, gone: 1, sent: 2})
    assert.deepEqual(removed, ['gone'])
    assert.deepEqual(errors, ['bad'])
  })

  it('reads BROADCAST_CONCURRENCY, ignoring bad values', () => {
    assert.equal(concurrencyFromEnv({BROADCAST_CONCURRENCY: '7'}), 7)
    assert.equal(concurrencyFromEnv({BROADCAST_CONCURRENCY: '0'}), DEFAULT_BROADCAST_CONCURRENCY)
    assert.equal(concurrencyFromEnv({BROADCAST_CONCURRENCY: 'x'}), DEFAULT_BROADCAST_CONCURRENCY)
    assert.equal(concurrencyFromEnv({}), DEFAULT_BROADCAST_CONCURRENCY)
  })

  it('builds the management endpoint from the event unless overridden', () => {
    const event = {requestContext: {domainName: 'abc.execute-api.eu-west-1.amazonaws.com', stage: 'v1'}} as Parameters<
      typeof managementEndpoint
    >[0]
    assert.equal(managementEndpoint(event, {}), 'https://abc.execute-api.eu-west-1.amazonaws.com/v1')
    assert.equal(
      managementEndpoint(event, {WSAPI_MANAGEMENT_ENDPOINT: 'http://127.0.0.1:3001/v1'}),
      'http://127.0.0.1:3001/v1',
    )
  })

  it('validates messages', () => {
    assert.deepEqual(parseMessage('{"message":"sendmessage","data":{"a":1}}', 'EX'), {data: {a: 1}, ok: true})
    assert.deepEqual(parseMessage('{"data":null}', 'EX'), {data: null, ok: true})
    assert.match((parseMessage('nope', 'EX') as {error: string}).error, /not JSON. Send EX/)
    assert.match((parseMessage('[1]', 'EX') as {error: string}).error, /no "data"/)
    assert.match((parseMessage(undefined, 'EX') as {error: string}).error, /not JSON/)
    assert.match(
      (parseMessage(JSON.stringify({data: 'é'.repeat(70_000)}), 'EX') as {error: string}).error,
      /too large: 140011 bytes/,
    )
  })
})
