import assert from 'node:assert/strict'
import {createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {servedHosts} from '../../../src/lib/dev/access.js'
import {DynamoFront, type DynamoFrontOptions} from '../../../src/lib/dev/dynamodb-proxy.js'

/** A DynamoFront on 127.0.0.1 port 0 before a stand-in for dynalite that echoes what reached it. */
async function front(options: Partial<DynamoFrontOptions> = {}) {
  const reached: string[] = []
  const refusals: string[] = []
  let served: string[] = []
  const dynalite =
    options.dynalite ??
    ((request: IncomingMessage, response: ServerResponse) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk))
      request.on('end', () => {
        reached.push(body)
        response.end(JSON.stringify({dynalite: body}))
      })
    })
  const dynamo = new DynamoFront({
    dynalite,
    onRefused: (reason) => refusals.push(reason),
    served: () => served,
    ...options,
  })
  const server: Server = createServer(dynamo.handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  served = servedHosts('127.0.0.1', port)
  return {
    close: () => new Promise((resolve) => server.close(resolve)),
    dynamo,
    port,
    reached,
    refusals,
    send(body: string, headers: Record<string, string> = {}): Promise<{body: string; status: number}> {
      return new Promise((resolve, reject) => {
        const request = httpRequest(
          {
            headers: {'x-amz-target': 'DynamoDB_20120810.GetItem', ...headers},
            host: '127.0.0.1',
            method: 'POST',
            path: '/',
            port,
          },
          (response) => {
            let text = ''
            response.on('data', (chunk: Buffer) => (text += chunk))
            response.on('end', () => resolve({body: text, status: response.statusCode!}))
          },
        )
        request.on('error', reject)
        request.end(body)
      })
    },
  }
}

describe('dev: the DynamoDB front', function () {
  this.timeout(30_000)

  it('hands dynalite each request read to the end, and counts it', async () => {
    const test = await front()
    try {
      assert.deepEqual(await test.send('{"TableName":"t"}'), {
        body: '{"dynalite":"{\\"TableName\\":\\"t\\"}"}',
        status: 200,
      })
      assert.equal(test.dynamo.received, 1)
    } finally {
      await test.close()
    }
  })

  it('refuses web pages (an Origin header) and foreign Host names with 403 AccessDeniedException', async () => {
    const test = await front()
    try {
      const page = await test.send('{}', {origin: 'https://attacker.example'})
      assert.equal(page.status, 403)
      assert.match(page.body, /AccessDeniedException/)
      assert.equal((await test.send('{}', {host: 'attacker.example'})).status, 403)
      assert.deepEqual(test.reached, [])
      assert.equal(test.refusals.length, 2)
      assert.match(test.refusals[0], /^Refused a DynamoDB request with Origin "https:\/\/attacker\.example"/)
    } finally {
      await test.close()
    }
  })

  it('answers what it knows itself, and turns a throw into a 500 InternalServerError', async () => {
    const test = await front({
      answer: (target, body) => {
        if (target.endsWith('.DescribeTimeToLive')) return {local: JSON.parse(body.toString('utf8'))}
        if (target.endsWith('.Broken')) throw new Error('cannot parse')
        return undefined
      },
    })
    try {
      assert.deepEqual(await test.send('{"a":1}', {'x-amz-target': 'DynamoDB_20120810.DescribeTimeToLive'}), {
        body: '{"local":{"a":1}}',
        status: 200,
      })
      const broken = await test.send('{}', {'x-amz-target': 'DynamoDB_20120810.Broken'})
      assert.equal(broken.status, 500)
      assert.match(broken.body, /InternalServerError.*cannot parse/)
      assert.deepEqual(test.reached, [])
    } finally {
      await test.close()
    }
  })

  it('drain() waits for the requests received, then refuses new ones', async () => {
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    let arrived: () => void = () => {}
    const arrival = new Promise<void>((resolve) => (arrived = resolve))
    const test = await front({
      dynalite(request, response) {
        request.resume()
        arrived()
        void held.then(() => response.end('{}'))
      },
    })
    try {
      const answer = test.send('{}')
      await arrival
      let drained = false
      const draining = test.dynamo.drain(60_000).then(() => (drained = true))
      await new Promise((resolve) => setImmediate(resolve))
      assert.equal(drained, false)
      release()
      await draining
      assert.equal((await answer).status, 200)
      await assert.rejects(test.send('{}'))
    } finally {
      await test.close()
    }
  })
})
