import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {type DevProcess, startDev, type TestClient, tryConnect} from '../helpers/dev.js'
import {tempDir} from '../helpers/tmp.js'

// What a client sees when one client floods `wsapi dev`: the stage's route throttling (the template's
// DefaultRouteSettings / RouteSettings), Lambda's throttling past ReservedConcurrentExecutions, and a function
// ended for holding more than its MemorySize.

const HANDLER = `
const held: Buffer[] = []
const MB = 1024 * 1024

export async function handler(event: any) {
  const {eventType, routeKey} = event.requestContext
  if (eventType !== 'MESSAGE') return {statusCode: 200}
  const body = JSON.parse(event.body)
  if (routeKey === 'slow' || routeKey === 'gated') await (await fetch(process.env.GATE + '?n=' + body.n)).text()
  if (routeKey === 'memory') {
    while (held.length * 8 < body.mb) {
      held.push(Buffer.alloc(8 * MB, 1))
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
  }

  return {statusCode: 200, body: JSON.stringify({route: routeKey, n: body.n, heldMb: held.length * 8})}
}
`

/** Four functions on one handler file: the default settings, a reserved concurrency of 1, MemorySize 128, and one that waits. */
function throttledProject(gate: string): string {
  const dir = join(tempDir(), 'throttled')
  mkdirSync(join(dir, 'src'), {recursive: true})
  writeFileSync(join(dir, 'src', 'app.ts'), HANDLER)
  const fn = (name: string, extra: string) => `
  ${name}Function:
    Type: AWS::Lambda::Function
    Properties:
      Code: src/app.ts
      Handler: index.handler
      Runtime: nodejs22.x
      Timeout: 60
${extra}      Environment:
        Variables:
          GATE: ${JSON.stringify(gate)}
  ${name}Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\${${name}Function.Arn}/invocations'`
  const route = (key: string, target: string) => `
  R${Buffer.from(key).toString('hex')}Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: ${JSON.stringify(key)}
      RouteResponseSelectionExpression: $default
      Target: !Join ['/', [integrations, !Ref ${target}Integration]]`
  writeFileSync(
    join(dir, 'template.yaml'),
    `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: throttled
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: test
      # A token every 1000 s: what passes is the burst, however slow the machine.
      DefaultRouteSettings:
        ThrottlingBurstLimit: 5
        ThrottlingRateLimit: 0.001
      RouteSettings:
        $connect:
          ThrottlingBurstLimit: 4
        memory:
          ThrottlingBurstLimit: 100
        gated:
          ThrottlingBurstLimit: 100
${fn('Echo', '')}
${fn('Slow', '      ReservedConcurrentExecutions: 1\n')}
${fn('Memory', '      MemorySize: 128\n')}
${fn('Gated', '')}
${route('$connect', 'Echo')}
${route('echo', 'Echo')}
${route('slow', 'Slow')}
${route('memory', 'Memory')}
${route('gated', 'Gated')}
`,
  )
  return dir
}

/** Peak resident memory of a process (Linux), in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) / 1024
}

describe('wsapi dev: throttling and MemorySize (one client cannot flood everyone)', function () {
  this.timeout(120_000)
  let dev: DevProcess
  let gate: Server
  const held: ServerResponse[] = []
  /** The query string of each request the handlers made, in arrival order. */
  const gateQueries: string[] = []
  let gateRequests = 0
  let accepted = 0
  const clients: TestClient[] = []

  async function connectClient(): Promise<TestClient> {
    const outcome = await tryConnect(dev.ready.url)
    if (!outcome.ok) throw new Error(`handshake refused: ${outcome.status} ${outcome.body}`)
    accepted++
    clients.push(outcome.client)
    return outcome.client
  }

  before(async () => {
    gate = createServer((request, response) => {
      gateRequests++
      gateQueries.push(new URL(request.url ?? '/', 'http://x').searchParams.get('n') ?? '')
      held.push(response)
    })
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve))
    // One environment per function, so that invocations wait for it.
    dev = await startDev(throttledProject(`http://127.0.0.1:${(gate.address() as AddressInfo).port}/`), [
      '--concurrency',
      '1',
    ])
  })

  after(async () => {
    for (const client of clients) client.close()
    await dev?.stop()
    for (const response of held) response.end()
    gate?.closeAllConnections()
    gate?.close()
  })

  it('a flood on one route: the burst goes through, every other message gets a "Too Many Requests" frame, the connection stays open', async () => {
    const client = await connectClient()
    for (let n = 0; n < 20; n++) client.send(JSON.stringify({action: 'echo', n}))
    const frames = await Promise.all(Array.from({length: 20}, () => client.next(30_000)))
    const replies = frames.filter((frame) => frame.startsWith('{"route"'))
    const throttled = frames.filter((frame) => frame.startsWith('{"message"'))
    assert.equal(replies.length, 5, frames.join('\n'))
    assert.equal(throttled.length, 15)
    for (const frame of throttled)
      assert.match(frame, /^\{"message": "Too Many Requests", "connectionId":"[\w-]{15}=", "requestId":"[\w-]{15}="\}$/)
    // Another route has its own bucket (RouteSettings), and the connection still works.
    client.send(JSON.stringify({action: 'memory', mb: 0, n: 'other route'}))
    assert.deepEqual(JSON.parse(await client.next(30_000)), {heldMb: 0, n: 'other route', route: 'memory'})
    await dev.waitForLog(/echo\s+\S+\s+-\s+Too Many Requests \(stage throttle: 0\.001\/s, burst 5\)/)
  })

  it('$connect past its burst: the handshake is refused with 429 {"message":"Too Many Requests"} and no handler runs', async () => {
    let refused: Awaited<ReturnType<typeof tryConnect>> | undefined
    // Bounded: without a throttle this would connect forever.
    for (let attempt = 0; attempt < 10 && !refused; attempt++) {
      const outcome = await tryConnect(dev.ready.url)
      if (outcome.ok) {
        accepted++
        clients.push(outcome.client)
      } else refused = outcome
    }

    assert.equal(accepted, 4, 'the $connect burst of RouteSettings')
    assert.ok(refused && !refused.ok)
    assert.equal(refused.status, 429)
    assert.equal(refused.body, '{"message":"Too Many Requests"}')
    assert.equal(refused.headers['content-type'], 'application/json')
    await dev.waitForLog(/\$connect\s+\S+\s+-\s+429 \(stage throttle: 0\.001\/s, burst 4\)/)
    assert.equal(
      dev.stderr.match(/\$connect\s+\S+\s+EchoFunction/g)?.length,
      4,
      'one $connect invocation per accepted handshake',
    )
  })

  it('past ReservedConcurrentExecutions Lambda throttles: the client gets "Internal server error", the log says TooManyRequestsException', async () => {
    const client = clients[0]
    client.send(JSON.stringify({action: 'slow', n: 1}))
    while (gateRequests < 1) await new Promise((resolve) => setTimeout(resolve, 20))
    client.send(JSON.stringify({action: 'slow', n: 2}))
    assert.match(
      await client.next(30_000),
      /^\{"message": "Internal server error", "connectionId":"[\w-]{15}=", "requestId":"[\w-]{15}="\}$/,
    )
    await dev.waitForLog(
      /TooManyRequestsException: Rate Exceeded\. \(ReservedFunctionConcurrentInvocationLimitExceeded/,
    )
    for (const response of held.splice(0)) response.end('go')
    assert.deepEqual(JSON.parse(await client.next(30_000)), {heldMb: 0, n: 1, route: 'slow'})
    assert.equal(gateRequests, 1, 'the throttled invocation never ran')
  })

  it('a 128 MB function holding 1 GB of Buffers ends with Runtime.OutOfMemory; the dev process stays small; the next invocation works', async function () {
    if (!existsSync(`/proc/${dev.ready.pid}/status`)) this.skip()
    const client = clients[0]
    const peakBefore = peakRssMb(dev.ready.pid)
    client.send(JSON.stringify({action: 'memory', mb: 1024, n: 'hog'}))
    assert.match(await client.next(60_000), /^\{"message": "Internal server error", /)
    await dev.waitForLog(
      /Runtime\.OutOfMemory: Runtime exited with error: signal: killed \(\d+ MB in use, MemorySize 128 MB/,
    )
    client.send(JSON.stringify({action: 'memory', mb: 8, n: 'after'}))
    assert.deepEqual(JSON.parse(await client.next(30_000)), {heldMb: 8, n: 'after', route: 'memory'})
    // The peak resident memory of the whole dev process: it never held the gigabyte.
    const peak = peakRssMb(dev.ready.pid)
    assert.ok(
      peak < peakBefore + 512,
      `wsapi dev peaked at ${Math.round(peak)} MB, ${Math.round(peakBefore)} MB before`,
    )
  })

  it("one connection's backlog does not hold another's message behind it: waiting invocations take turns by connection", async () => {
    const [flooder, other] = [clients[1], clients[2]]
    const seen = gateQueries.length
    const arrivals = async (count: number) => {
      while (gateQueries.length < seen + count) await new Promise((resolve) => setTimeout(resolve, 20))
    }

    for (const n of ['a1', 'a2', 'a3', 'a4', 'a5']) flooder.send(JSON.stringify({action: 'gated', n}))
    await arrivals(1)
    other.send(JSON.stringify({action: 'gated', n: 'b1'}))
    // One environment: each invocation reaches the gate only once the one before it is let go.
    for (let count = 1; count <= 6; count++) {
      await arrivals(count)
      for (const response of held.splice(0)) response.end('go')
    }

    const order = gateQueries.slice(seen)
    assert.ok(order.indexOf('b1') <= 2, `b1 waited behind the flood: ${order.join(' ')}`)
    assert.deepEqual(
      order.filter((n) => n !== 'b1'),
      ['a1', 'a2', 'a3', 'a4', 'a5'],
    )
    assert.equal(JSON.parse(await other.next(30_000)).n, 'b1')
  })
})
