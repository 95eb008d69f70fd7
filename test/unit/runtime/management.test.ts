import assert from 'node:assert/strict'
import {createServer, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {broadcast} from '../../../runtime/broadcast.js'
import {managementClient, managementEndpoint, postToConnection} from '../../../runtime/management.js'

const ENV = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  BROADCAST_CONCURRENCY: '80',
}

describe('runtime managementClient', () => {
  const saved: Record<string, string | undefined> = {}
  beforeEach(() => {
    for (const name of [...Object.keys(ENV), 'WSAPI_MANAGEMENT_ENDPOINT']) saved[name] = process.env[name]
    Object.assign(process.env, ENV)
  })
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  it('lets the real SDK client keep BROADCAST_CONCURRENCY posts in flight, past its default pool of 50 sockets', async () => {
    // A management API that answers nothing until no new post has arrived for a while: the posts waiting then are
    // as many as the client manages to have in flight at once.
    const held: ServerResponse[] = []
    let peak = 0
    let posts = 0
    let quiet: NodeJS.Timeout | undefined
    const release = () => {
      for (const response of held.splice(0)) response.writeHead(200, {'content-length': 0}).end()
    }

    const server = createServer((request, response) => {
      request.resume().on('end', () => {
        posts++
        held.push(response)
        peak = Math.max(peak, held.length)
        clearTimeout(quiet)
        // Once 80 wait, 300 ms of quiet shows no more are coming; fewer are given far longer, so that a slow
        // machine sending its posts slowly does not look like a client that caps them lower.
        quiet = setTimeout(release, held.length >= 80 ? 300 : 10_000)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    process.env.WSAPI_MANAGEMENT_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
    try {
      const client = managementClient({requestContext: {domainName: 'example.com', stage: 'v1'}} as Parameters<
        typeof managementClient
      >[0])
      const recipients = Array.from({length: 160}, (_, i) => `conn-${i}`)
      const result = await broadcast({client, concurrency: 80, data: '"hi"', recipients})
      assert.deepEqual(result, {failed: 0, gone: 0, sent: 160})
      assert.equal(posts, 160)
      assert.equal(peak, 80)
      client.destroy()
    } finally {
      clearTimeout(quiet)
      server.close()
    }
  })

  it('caches the SDK middleware chain, and each post still carries its own connection id and data', async () => {
    const seen: string[] = []
    const server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        seen.push(`${request.method} ${request.url} ${body}`)
        response.writeHead(200, {'content-length': 0}).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    process.env.WSAPI_MANAGEMENT_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`
    try {
      const client = managementClient({requestContext: {domainName: 'example.com', stage: 'v2'}} as Parameters<
        typeof managementClient
      >[0])
      assert.equal(client.config.cacheMiddleware, true)
      for (const id of ['a=', 'b=', 'c=']) await postToConnection(client, id, JSON.stringify({to: id}))
      assert.deepEqual(seen, [
        'POST /v2/@connections/a%3D {"to":"a="}',
        'POST /v2/@connections/b%3D {"to":"b="}',
        'POST /v2/@connections/c%3D {"to":"c="}',
      ])
      client.destroy()
    } finally {
      server.close()
    }
  })
})

describe('runtime managementEndpoint', () => {
  const context = (domainName: string) =>
    ({requestContext: {apiId: 'abcde12345', domainName, stage: 'v1'}}) as Parameters<typeof managementEndpoint>[0]

  it('uses the execute-api domain the event came in on', () => {
    assert.equal(
      managementEndpoint(context('abcde12345.execute-api.eu-west-1.amazonaws.com'), {AWS_REGION: 'eu-west-1'}),
      'https://abcde12345.execute-api.eu-west-1.amazonaws.com/v1',
    )
  })

  it('builds the execute-api endpoint from the API id behind a custom domain, whatever its base path', () => {
    // A custom domain maps the API under a base path (chat.example.com/api → stage v1): https://chat.example.com/v1 would be another API or nothing.
    assert.equal(
      managementEndpoint(context('chat.example.com'), {AWS_REGION: 'eu-west-1'}),
      'https://abcde12345.execute-api.eu-west-1.amazonaws.com/v1',
    )
    assert.equal(
      managementEndpoint(context('ws.example.cn'), {AWS_REGION: 'cn-north-1'}),
      'https://abcde12345.execute-api.cn-north-1.amazonaws.com.cn/v1',
    )
  })

  it('does not take a look-alike domain for the execute-api one', () => {
    assert.equal(
      managementEndpoint(context('abcde12345.execute-api.eu-west-1.amazonaws.com.evil.example'), {
        AWS_REGION: 'eu-west-1',
      }),
      'https://abcde12345.execute-api.eu-west-1.amazonaws.com/v1',
    )
  })

  it('prefers WSAPI_MANAGEMENT_ENDPOINT when set (wsapi dev)', () => {
    assert.equal(
      managementEndpoint(context('chat.example.com'), {
        AWS_REGION: 'eu-west-1',
        WSAPI_MANAGEMENT_ENDPOINT: 'http://127.0.0.1:3001/v1',
      }),
      'http://127.0.0.1:3001/v1',
    )
  })

  it('gives managementClient the execute-api endpoint behind a custom domain', async () => {
    const saved = process.env.AWS_REGION
    const savedOverride = process.env.WSAPI_MANAGEMENT_ENDPOINT
    process.env.AWS_REGION = 'eu-west-1'
    delete process.env.WSAPI_MANAGEMENT_ENDPOINT
    try {
      const client = managementClient(context('chat.example.com') as Parameters<typeof managementClient>[0])
      const endpoint = await client.config.endpoint!()
      assert.equal(
        `${endpoint.protocol}//${endpoint.hostname}${endpoint.path}`,
        'https://abcde12345.execute-api.eu-west-1.amazonaws.com/v1',
      )
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION
      else process.env.AWS_REGION = saved
      if (savedOverride !== undefined) process.env.WSAPI_MANAGEMENT_ENDPOINT = savedOverride
    }
  })
})
