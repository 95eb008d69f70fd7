import assert from 'node:assert/strict'
import {connect as tcpConnect} from 'node:net'

import {runCli} from '../helpers/cli.js'
import {
  connect,
  type DevProcess,
  probeProject,
  readRecords,
  startDev,
  type TestClient,
  tryConnect,
  waitForRecord,
} from '../helpers/dev.js'
import {sigV4Headers} from '../helpers/sigv4.js'

interface RawResponse {
  body: string
  headers: Record<string, string>
  status: number
}

/** Sends `head` (and `body`) over a bare TCP socket, so that Host, Origin and the HTTP version are exactly as written. */
function raw(port: number, head: string, body = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1')
    let text = ''
    const done = () => {
      socket.destroy()
      const end = text.indexOf('\r\n\r\n')
      const [statusLine, ...lines] = text.slice(0, end === -1 ? text.length : end).split('\r\n')
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      )
      resolve({body: end === -1 ? '' : text.slice(end + 4), headers, status: Number(statusLine.split(' ')[1])})
    }

    socket.on('error', reject)
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
      // A 101 keeps the socket open: its head is the answer.
      if (text.startsWith('HTTP/1.1 101') && text.includes('\r\n\r\n')) done()
    })
    socket.on('close', done)
    socket.write(`${head.replaceAll('\n', '\r\n')}\r\n\r\n${body}`)
  })
}

const upgradeHead = (path: string, headers: string[]) =>
  [
    `GET ${path} HTTP/1.1`,
    ...headers,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
  ].join('\n')

const NO_CORS = (response: RawResponse) =>
  Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))

describe('wsapi dev serves this machine only: Host, Origin, SigV4 on @connections, DynamoDB (issue 10 §2)', function () {
  this.timeout(90_000)
  let dev: DevProcess
  let records: string
  let port: number

  /** A connected client and its id (read from the $connect event). */
  async function client(): Promise<{client: TestClient; id: string}> {
    const known = new Set(readRecords(records).map((record) => record.event.requestContext.connectionId))
    const opened = await connect(dev.ready.url)
    const record = await waitForRecord(
      records,
      (candidate) =>
        candidate.event.requestContext.eventType === 'CONNECT' &&
        !known.has(candidate.event.requestContext.connectionId),
    )
    return {client: opened, id: record.event.requestContext.connectionId}
  }

  const connects = () =>
    readRecords(records).filter((record) => record.event.requestContext.eventType === 'CONNECT').length

  before(async () => {
    const project = probeProject({routes: [{key: '$connect'}, {key: '$disconnect'}, {key: '$default', twoWay: true}]})
    records = project.records
    dev = await startDev(project.dir)
    port = dev.ready.port
  })

  after(async () => {
    await dev?.stop()
  })

  describe('Host: only the address being served (DNS rebinding)', () => {
    const foreignHosts = () => [
      `evil.example:${port}`,
      `EVIL.example:${port}`,
      `127.0.0.2:${port}`,
      `localhost.:${port}`,
      `127.0.0.1:${port + 1}`,
      `localhost:0${port}`,
      '127.0.0.1',
      `[::2]:${port}`,
      `127.0.0.1:${port}.evil.example`,
    ]

    it('refuses HTTP requests (the chat page, the stage URL, @connections) with a foreign Host: 403 and one log line', async () => {
      const {client: ws, id} = await client()
      for (const host of foreignHosts()) {
        for (const path of ['/', `/${dev.ready.stage}`]) {
          const response = await raw(port, `GET ${path} HTTP/1.1\nHost: ${host}\nConnection: close`)
          assert.equal(response.status, 403, `${host} ${path}`)
          assert.doesNotMatch(response.body, /<html/i)
        }

        const url = `http://127.0.0.1:${port}/${dev.ready.stage}/@connections/${encodeURIComponent(id)}`
        const signed = sigV4Headers('POST', url, 'rebound')
        const headers = Object.entries(signed).map(([name, value]) => `${name}: ${value}`)
        const post = await raw(
          port,
          [
            `POST /${dev.ready.stage}/@connections/${encodeURIComponent(id)} HTTP/1.1`,
            `Host: ${host}`,
            ...headers,
            'Content-Length: 7',
            'Connection: close',
          ].join('\n'),
          'rebound',
        )
        assert.equal(post.status, 403, host)
      }

      assert.equal(await ws.receivesWithin(200), false)
      await dev.waitForLog(/Refused GET \/ .*Host "evil\.example:\d+".*127\.0\.0\.1:\d+, localhost:\d+ or \[::1\]:\d+/)
      const line = dev.stderr
        .split('\n')
        .find((candidate) => candidate.includes('"127.0.0.1:' + port + '.evil.example"'))
      assert.ok(line, dev.stderr)
      ws.close()
    })

    it('refuses a request without Host (HTTP/1.0) and upgrades with a foreign Host, before any handler runs', async () => {
      assert.equal((await raw(port, 'GET / HTTP/1.0')).status, 403)
      const before = connects()
      for (const host of foreignHosts()) {
        const response = await raw(port, upgradeHead(`/${dev.ready.stage}`, [`Host: ${host}`]))
        assert.equal(response.status, 403, host)
      }

      assert.equal(connects(), before, 'no $connect ran')
    })

    it('accepts 127.0.0.1, localhost and [::1] with the port, in any case', async () => {
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`]) {
        assert.equal((await raw(port, `GET / HTTP/1.1\nHost: ${host}\nConnection: close`)).status, 200, host)
        assert.equal((await raw(port, upgradeHead(`/${dev.ready.stage}`, [`Host: ${host}`]))).status, 101, host)
      }
    })
  })

  describe('Origin of WebSocket upgrades', () => {
    const upgrade = (origin: string) =>
      raw(port, upgradeHead(`/${dev.ready.stage}`, [`Host: 127.0.0.1:${port}`, `Origin: ${origin}`]))

    it('refuses a foreign origin, "null" (sandboxed iframes, file:// pages) and malformed ones: 403, a log line naming --allow-origin', async () => {
      const before = connects()
      for (const origin of [
        'https://evil.example',
        `http://evil.example:${port}`,
        'null',
        'file://',
        `http://localhost.:${port}`,
        'not a url',
        `http://127.0.0.1:${port}/path`,
        'ftp://localhost',
      ]) {
        const response = await upgrade(origin)
        assert.equal(response.status, 403, origin)
        assert.equal(response.body, '{"message":"Forbidden"}')
      }

      assert.equal(connects(), before, 'no $connect ran')
      await dev.waitForLog(
        /Refused a WebSocket connection from Origin "https:\/\/evil\.example".*--allow-origin https:\/\/evil\.example/,
      )
      await dev.waitForLog(/Origin "null"/)
    })

    it('accepts no Origin (CLI clients), the chat page’s own origin and any loopback origin on any port', async () => {
      assert.equal((await raw(port, upgradeHead(`/${dev.ready.stage}`, [`Host: 127.0.0.1:${port}`]))).status, 101)
      for (const origin of [
        `http://127.0.0.1:${port}`,
        `http://localhost:${port}`,
        'http://localhost:5173',
        'https://localhost:8443',
        'http://127.0.0.2:9000',
        'http://[::1]:5173',
        'http://app.localhost:3000',
        'HTTP://LOCALHOST:5173',
      ]) {
        assert.equal((await upgrade(origin)).status, 101, origin)
      }

      const outcome = await tryConnect(dev.ready.url, {origin: 'http://localhost:5173'})
      assert.ok(outcome.ok)
      outcome.client.close()
    })

    it('wsapi connect sends no Origin; with -o naming a foreign origin it exits 1 saying 403 and pointing at --allow-origin', async () => {
      const plain = await runCli(['connect', dev.ready.url, '-x', '{"reply":"pong"}', '--count', '1'])
      assert.equal(plain.code, 0, plain.stderr)
      const foreign = await runCli(['connect', dev.ready.url, '-o', 'https://evil.example', '-x', 'x'])
      assert.equal(foreign.code, 1)
      assert.match(foreign.stderr, /403/)
      assert.match(foreign.stderr, /--allow-origin/)
    })

    it('--allow-origin adds origins (repeatable); * allows every origin; a value that is not an origin is a usage error', async () => {
      const project = probeProject({routes: [{key: '$default'}]})
      const allowing = await startDev(project.dir, [
        '--allow-origin',
        'https://app.example.com',
        '--allow-origin',
        'https://Admin.Example.com:8443',
      ])
      try {
        const at = (origin: string) =>
          raw(
            allowing.ready.port,
            upgradeHead(`/${allowing.ready.stage}`, [`Host: 127.0.0.1:${allowing.ready.port}`, `Origin: ${origin}`]),
          )
        assert.equal((await at('https://app.example.com')).status, 101)
        assert.equal((await at('https://admin.example.com:8443')).status, 101)
        assert.equal((await at('http://app.example.com')).status, 403)
        assert.equal((await at('https://other.example.com')).status, 403)
        assert.equal((await at('http://localhost:5173')).status, 101)
      } finally {
        await allowing.stop()
      }

      const everyone = await startDev(project.dir, ['--allow-origin', '*'])
      try {
        const at = (origin: string) =>
          raw(
            everyone.ready.port,
            upgradeHead(`/${everyone.ready.stage}`, [`Host: 127.0.0.1:${everyone.ready.port}`, `Origin: ${origin}`]),
          )
        assert.equal((await at('https://evil.example')).status, 101)
        assert.equal((await at('null')).status, 101)
        // The Host check stays: * is about pages, not about DNS rebinding.
        assert.equal(
          (
            await raw(
              everyone.ready.port,
              `GET / HTTP/1.1\nHost: evil.example:${everyone.ready.port}\nConnection: close`,
            )
          ).status,
          403,
        )
      } finally {
        await everyone.stop()
      }

      for (const value of ['example.com', 'https://example.com/path', 'ftp://example.com', 'null']) {
        const result = await runCli(['dev', '--dir', project.dir, '--port', '0', '--allow-origin', value])
        assert.equal(result.code, 2, value)
        assert.match(result.stderr, /--allow-origin/)
        assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
      }
    })
  })

  describe('@connections requires a SigV4 Authorization header, as on AWS', () => {
    const at = (id: string) => `http://127.0.0.1:${port}/${dev.ready.stage}/@connections/${encodeURIComponent(id)}`

    it('a cross-origin text/plain POST (a simple request: no preflight) gets 403 Missing Authentication Token and delivers nothing', async () => {
      const {client: ws, id} = await client()
      const path = new URL(at(id)).pathname
      const post = await raw(
        port,
        [
          `POST ${path} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Origin: https://evil.example',
          'Content-Type: text/plain',
          'Content-Length: 8',
          'Connection: close',
        ].join('\n'),
        'injected',
      )
      assert.equal(post.status, 403)
      assert.equal(post.body, '{"message":"Missing Authentication Token"}')
      assert.equal(post.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException')
      assert.deepEqual(NO_CORS(post), [])
      for (const method of ['GET', 'DELETE']) {
        const response = await raw(
          port,
          [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'].join('\n'),
        )
        assert.equal(response.status, 403, method)
        assert.equal(response.body, '{"message":"Missing Authentication Token"}')
      }

      assert.equal(await ws.receivesWithin(200), false)
      assert.equal(ws.ws.readyState, ws.ws.OPEN)
      ws.close()
    })

    it('an Authorization header that is not SigV4 for execute-api is refused; a signed call goes through', async () => {
      const {client: ws, id} = await client()
      const path = new URL(at(id)).pathname
      const post = (headers: string[]) =>
        raw(
          port,
          [
            `POST ${path} HTTP/1.1`,
            `Host: 127.0.0.1:${port}`,
            ...headers,
            'Content-Length: 1',
            'Connection: close',
          ].join('\n'),
          'x',
        )
      const bearer = await post(['Authorization: Bearer abc'])
      assert.equal(bearer.status, 403)
      assert.equal(bearer.headers['x-amzn-errortype'], 'IncompleteSignatureException')
      assert.match(bearer.body, /Authorization header requires 'Credential' parameter/)
      const dynamodbScoped = Object.entries(sigV4Headers('POST', at(id), 'x', {service: 'dynamodb'})).map(
        ([name, value]) => `${name}: ${value}`,
      )
      const wrongService = await post(dynamodbScoped)
      assert.equal(wrongService.status, 403)
      assert.equal(wrongService.headers['x-amzn-errortype'], 'InvalidSignatureException')
      assert.match(wrongService.body, /Credential should be scoped to correct service: 'execute-api'/)
      assert.equal(await ws.receivesWithin(100), false)
      const signed = Object.entries(sigV4Headers('POST', at(id), 'x')).map(([name, value]) => `${name}: ${value}`)
      assert.equal((await post(signed)).status, 200)
      assert.equal(await ws.next(), 'x')
      await dev.waitForLog(/Refused POST .*@connections.*without a SigV4 Authorization header/)
      ws.close()
    })

    it('an OPTIONS preflight gets no CORS allow headers, on @connections, the stage and the page', async () => {
      for (const path of [`/${dev.ready.stage}/@connections/abc%3D`, `/${dev.ready.stage}`, '/']) {
        const response = await raw(
          port,
          [
            `OPTIONS ${path} HTTP/1.1`,
            `Host: 127.0.0.1:${port}`,
            'Origin: https://evil.example',
            'Access-Control-Request-Method: POST',
            'Access-Control-Request-Headers: authorization, x-amz-date',
            'Connection: close',
          ].join('\n'),
        )
        // 403, or 426 on the stage URL (which is for WebSocket clients only): never a 2xx with CORS headers.
        assert.ok(
          response.status === 403 || (path === `/${dev.ready.stage}` && response.status === 426),
          `${path}: ${response.status}`,
        )
        assert.deepEqual(NO_CORS(response), [], path)
      }
    })
  })

  describe('the embedded DynamoDB', () => {
    const scan = (headers: string[], method = 'POST') => {
      const {port: dynamoPort} = new URL(dev.ready.dynamodbEndpoint)
      const body = JSON.stringify({TableName: dev.ready.tables[0].name})
      return raw(
        Number(dynamoPort),
        [
          `${method} / HTTP/1.1`,
          ...headers,
          'Content-Type: application/x-amz-json-1.0',
          'X-Amz-Target: DynamoDB_20120810.Scan',
          'Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
          'X-Amz-Date: 20240101T000000Z',
          `Content-Length: ${method === 'POST' ? body.length : 0}`,
          'Connection: close',
        ].join('\n'),
        method === 'POST' ? body : '',
      )
    }

    it('answers a request without Origin and with a loopback Host', async () => {
      const {port: dynamoPort} = new URL(dev.ready.dynamodbEndpoint)
      for (const host of [`127.0.0.1:${dynamoPort}`, `localhost:${dynamoPort}`]) {
        const response = await scan([`Host: ${host}`])
        assert.equal(response.status, 200, `${host}: ${response.body}`)
        assert.match(response.body, /"Items"/)
      }
    })

    it('refuses any Origin (and the preflight) and a foreign Host, with no CORS headers', async () => {
      const {port: dynamoPort} = new URL(dev.ready.dynamodbEndpoint)
      for (const response of [
        await scan([`Host: 127.0.0.1:${dynamoPort}`, 'Origin: https://evil.example']),
        await scan([`Host: 127.0.0.1:${dynamoPort}`, 'Origin: http://localhost:5173']),
        await scan(
          [
            `Host: 127.0.0.1:${dynamoPort}`,
            'Origin: https://evil.example',
            'Access-Control-Request-Method: POST',
            'Access-Control-Request-Headers: x-amz-target',
          ],
          'OPTIONS',
        ),
        await scan([`Host: evil.example:${dynamoPort}`]),
        await scan([`Host: 127.0.0.1:${Number(dynamoPort) + 1}`]),
      ]) {
        assert.equal(response.status, 403, response.body)
        assert.doesNotMatch(response.body, /"Items"/)
        assert.deepEqual(NO_CORS(response), [])
      }

      // Without Host: Node refuses HTTP/1.1 itself (400); HTTP/1.0 reaches the check.
      const hostless = await raw(Number(dynamoPort), 'GET / HTTP/1.0')
      assert.equal(hostless.status, 403)
      assert.doesNotMatch(hostless.body, /healthy/)
    })
  })
})

describe('wsapi dev --host', function () {
  this.timeout(60_000)

  it('warns that a non-loopback address exposes the API and @connections to the network; loopback does not', async () => {
    const project = probeProject({routes: [{key: '$default'}]})
    const open = await startDev(project.dir, ['--host', '0.0.0.0'])
    try {
      await open.waitForLog(/--host 0\.0\.0\.0.*@connections.*reachable from the network/)
    } finally {
      await open.stop()
    }

    const local = await startDev(project.dir, ['--host', '127.0.0.1'])
    try {
      assert.doesNotMatch(local.stderr, /reachable from the network/)
      assert.equal(
        (await raw(local.ready.port, `GET / HTTP/1.1\nHost: localhost:${local.ready.port}\nConnection: close`)).status,
        200,
      )
    } finally {
      await local.stop()
    }
  })
})
