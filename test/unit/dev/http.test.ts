import assert from 'node:assert/strict'
import {request as httpRequest} from 'node:http'

import {InvokeCommand, LambdaClient, ResourceNotFoundException} from '@aws-sdk/client-lambda'

import {requestPath} from '../../../src/lib/dev/http.js'
import type {DevServer} from '../../../src/lib/dev/server.js'
import {outputLine, startTestServer, type WatchedOutput} from '../../helpers/dev-server.js'
import {TEST_CREDENTIALS} from '../../helpers/sigv4.js'

/** A request with a Host header of our choosing (fetch does not let one set it). */
function get(port: number, path: string, host: string): Promise<{body: string; status: number}> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({headers: {host}, host: '127.0.0.1', path, port}, (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk))
      response.on('end', () => resolve({body, status: response.statusCode!}))
    })
    request.on('error', reject)
    request.end()
  })
}

describe('dev: the HTTP side of the dev port', function () {
  this.timeout(60_000)
  let server: DevServer
  let output: WatchedOutput

  before(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    ;({output, server} = await startTestServer())
  })

  after(() => server.close())

  it('serves the chat page for the project, never cached, and HEAD without a body', async () => {
    const page = await fetch(server.pageUrl)
    assert.equal(page.status, 200)
    assert.equal(page.headers.get('cache-control'), 'no-store')
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    const html = await page.text()
    assert.match(html, /chat/)
    assert.match(html, /sendmessage/)
    const head = await fetch(server.pageUrl, {method: 'HEAD'})
    assert.equal(head.status, 200)
    assert.equal(await head.text(), '')
  })

  it('answers the WebSocket URL opened as a page with 426, the favicon with 204, anything else with 403', async () => {
    const upgrade = await fetch(`http://${server.host}:${server.port}/${server.stage}`)
    assert.equal(upgrade.status, 426)
    assert.equal(upgrade.headers.get('upgrade'), 'websocket')
    assert.equal((await fetch(`${server.pageUrl}favicon.ico`)).status, 204)
    const other = await fetch(`${server.pageUrl}elsewhere`)
    assert.equal(other.status, 403)
    assert.equal(other.headers.get('x-amzn-errortype'), 'ForbiddenException')
    assert.equal((await fetch(server.pageUrl, {method: 'POST'})).status, 403)
  })

  it('refuses a request naming another Host (DNS rebinding) with 403, and logs it', async () => {
    const refused = await get(server.port, '/', 'attacker.example')
    assert.equal(refused.status, 403)
    assert.equal(refused.body, '{"message":"Forbidden"}')
    await outputLine(output, /Refused GET \/ with Host/)
    assert.equal((await get(server.port, '/', `localhost:${server.port}`)).status, 200)
  })

  it('hands the Lambda Invoke API its paths: the template functions by name, ResourceNotFoundException for others', async () => {
    const lambda = new LambdaClient({
      credentials: TEST_CREDENTIALS,
      endpoint: server.localEndpoint,
      region: 'us-east-1',
    })
    try {
      await assert.rejects(lambda.send(new InvokeCommand({FunctionName: 'nope'})), ResourceNotFoundException)
      const invoked = await lambda.send(
        new InvokeCommand({
          FunctionName: 'chat-v1-DefaultFunction',
          Payload: JSON.stringify({body: 'direct', requestContext: {connectionId: 'x', routeKey: '$default'}}),
        }),
      )
      assert.equal(
        (JSON.parse(JSON.parse(Buffer.from(invoked.Payload!).toString('utf8')).body) as {echo: string}).echo,
        'direct',
      )
    } finally {
      lambda.destroy()
    }
  })
})

describe('dev: request paths', () => {
  it('drop the query', () => {
    assert.equal(requestPath('/v1?a=b'), '/v1')
    assert.equal(requestPath('/'), '/')
    assert.equal(requestPath(undefined), '/')
  })
})
