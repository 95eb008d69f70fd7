import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'

import {DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand, PutItemCommand} from '@aws-sdk/client-dynamodb'

import {runCli} from '../helpers/cli.js'
import {connect, DevProcess, rawHandshake, sleep, startDev} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'
import {tempDir} from '../helpers/tmp.js'

const credentials = {accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret'}

describe('wsapi dev on a scaffolded project', function () {
  this.timeout(60_000)
  let dev: DevProcess
  let dir: string

  before(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    dir = scaffoldProject()
    dev = await startDev(dir)
  })

  after(async () => {
    await dev?.stop('SIGKILL')
  })

  it('prints one JSON ready line with the URLs, routes and tables, and writes .wsapi/dev/<pid>.json for `wsapi connect`', () => {
    const {ready} = dev
    assert.equal(ready.event, 'ready')
    assert.equal(ready.url, `ws://127.0.0.1:${ready.port}/v1`)
    assert.equal(ready.managementEndpoint, `http://127.0.0.1:${ready.port}/v1`)
    assert.equal(ready.pageUrl, `http://127.0.0.1:${ready.port}/`)
    assert.deepEqual(
      ready.routes.map((route) => [route.key, route.functionId, route.twoWay]),
      [
        ['$connect', 'ConnectFunction', false],
        ['$disconnect', 'DisconnectFunction', false],
        ['sendmessage', 'SendmessageFunction', false],
        ['$default', 'DefaultFunction', true],
      ],
    )
    assert.deepEqual(ready.tables, [{logicalId: 'ConnectionsTable', name: 'chat-v1-ConnectionsTable'}])
    assert.equal(dev.stdout.trim().split('\n').length, 1, 'stdout holds only the ready line')
    const state = JSON.parse(readFileSync(join(dir, '.wsapi', 'dev', `${ready.pid}.json`), 'utf8')) as {
      integrationTimeoutMs: number
      pid: number
      url: string
    }
    assert.equal(state.url, ready.url)
    assert.equal(state.integrationTimeoutMs, 29_000)
    assert.equal(state.pid, ready.pid)
  })

  it('runs the unmodified generated handlers: a sendmessage reaches every client through DynamoDB and @connections', async () => {
    const [alice, bob] = await Promise.all([connect(dev.ready.url), connect(dev.ready.url)])
    alice.send('{"message":"sendmessage","data":"hello bob"}')
    assert.equal(await bob.next(), '"hello bob"')
    assert.equal(await alice.next(), '"hello bob"')
    bob.send('no route for this')
    assert.match(await bob.next(), /No route matches this message/)
    alice.close()
    bob.close()
  })

  it('creates the template tables with their keys and TTL in the local DynamoDB', async () => {
    const dynamo = new DynamoDBClient({credentials, endpoint: dev.ready.dynamodbEndpoint, region: 'us-east-1'})
    const ttl = await dynamo.send(new DescribeTimeToLiveCommand({TableName: 'chat-v1-ConnectionsTable'}))
    assert.deepEqual(ttl.TimeToLiveDescription, {AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED'})
    await dynamo.send(new PutItemCommand({Item: {connectionId: {S: 'k'}}, TableName: 'chat-v1-ConnectionsTable'}))
    await assert.rejects(
      dynamo.send(new PutItemCommand({Item: {other: {S: 'k'}}, TableName: 'chat-v1-ConnectionsTable'})),
      /key|Key/,
    )
    dynamo.destroy()
  })

  it('reloads an edited handler without dropping connections, and says how long it took', async () => {
    const client = await connect(dev.ready.url)
    client.send('nothing matches')
    assert.match(await client.next(), /No route matches/)
    const file = join(dir, 'src', 'handlers', 'default.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace('No route matches this message.', 'Reloaded reply.'))
    const line = await dev.waitForLog(/Reloaded DefaultFunction in (\d+) ms/)
    console.log(`      (${line})`)
    client.send('nothing matches')
    assert.match(await client.next(), /Reloaded reply\./)
    assert.equal(client.ws.readyState, client.ws.OPEN)
    // A change that does not compile keeps the previous code running.
    const good = readFileSync(file, 'utf8')
    writeFileSync(file, `${good}\nexport const broken = (\n`)
    await dev.waitForLog(
      /Reload failed, still running the previous code:\n[\s\S]*?src\/handlers\/default\.ts:\d+:\d+: error/,
    )
    client.send('nothing matches')
    assert.match(await client.next(), /Reloaded reply\./)
    writeFileSync(file, good)
    await dev.waitForLog(/Reloaded DefaultFunction in \d+ ms[\s\S]*Reloaded DefaultFunction in \d+ ms/)
    client.close()
  })

  it('reloads template.yaml: a renamed route is served at once, open connections stay', async () => {
    const client = await connect(dev.ready.url)
    const template = join(dir, 'template.yaml')
    writeFileSync(template, readFileSync(template, 'utf8').replace('RouteKey: "sendmessage"', 'RouteKey: "broadcast"'))
    await dev.waitForLog(/Reloaded template\.yaml in \d+ ms/)
    client.send('{"message":"broadcast","data":"renamed"}')
    assert.equal(await client.next(), '"renamed"')
    client.send('{"message":"sendmessage","data":"old name"}') // now $default's
    assert.match(await client.next(), /^\{"error":/)
    client.close()
  })

  it('Ctrl-C closes every connection with 1001 "Going away", runs $disconnect for each, exits 0 and removes its record', async () => {
    const clients = await Promise.all([connect(dev.ready.url), connect(dev.ready.url), connect(dev.ready.url)])
    const code = await dev.stop('SIGINT')
    for (const client of clients) assert.deepEqual(await client.closed, {code: 1001, reason: 'Going away'})
    assert.equal(code, 0)
    assert.equal(dev.stderr.match(/\$disconnect .*\(1001 Going away\)/g)?.length, 3, dev.stderr)
    assert.equal(existsSync(join(dir, '.wsapi', 'dev.json')), false)
    assert.equal(existsSync(join(dir, '.wsapi', 'dev')), false)
    assert.match(
      dev.stdout.trim().split('\n').at(-1)!,
      /^\{"connectionsClosed":3,"event":"stopped","signal":"SIGINT"\}$/,
    )
  })
})

describe('wsapi dev: flags and failures', function () {
  this.timeout(60_000)

  it('--latency and --latency-dynamodb delay each @connections and DynamoDB call', async () => {
    const dir = scaffoldProject()
    // A bare --latency is milliseconds, as it always was; units work too.
    const dev = await startDev(dir, ['--latency', '300', '--latency-dynamodb', '0.2s'])
    try {
      let started = Date.now()
      const client = await connect(dev.ready.url) // $connect: one PutItem
      const connectMs = Date.now() - started
      assert.ok(connectMs >= 200, `connect took ${connectMs} ms`)
      started = Date.now()
      client.send('{"message":"sendmessage","data":1}') // one Scan, then one post
      await client.next()
      const fanOutMs = Date.now() - started
      assert.ok(fanOutMs >= 500, `fan-out took ${fanOutMs} ms`)
      client.close()
    } finally {
      await dev.stop()
    }
  })

  it('--persist keeps DynamoDB data between runs', async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    const dir = scaffoldProject()
    const store = join(tempDir(), 'data')
    const first = await startDev(dir, ['--persist', store])
    const put = new DynamoDBClient({credentials, endpoint: first.ready.dynamodbEndpoint, region: 'us-east-1'})
    await put.send(new PutItemCommand({Item: {connectionId: {S: 'kept'}}, TableName: 'chat-v1-ConnectionsTable'}))
    put.destroy()
    assert.equal(await first.stop(), 0)
    const second = await startDev(dir, ['--persist', store])
    const get = new DynamoDBClient({credentials, endpoint: second.ready.dynamodbEndpoint, region: 'us-east-1'})
    const item = await get.send(
      new GetItemCommand({Key: {connectionId: {S: 'kept'}}, TableName: 'chat-v1-ConnectionsTable'}),
    )
    get.destroy()
    await second.stop()
    assert.deepEqual(item.Item, {connectionId: {S: 'kept'}})
  })

  it('a client retrying while the server starts gets 503 until it is ready, never an answer from half-loaded routes', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const {port} = blocker.address() as {port: number}
    await new Promise((resolve) => blocker.close(resolve))
    const dev = new DevProcess(scaffoldProject(), ['--port', String(port)])
    const starting = dev.start()
    const answers = new Set<string>()
    try {
      for (let status = ''; status !== '101';) {
        status = /^HTTP\/1.1 (\d+)/.exec(await rawHandshake(port, '/v1').catch(() => 'refused'))?.[1] ?? 'refused'
        answers.add(status)
        if (status === 'refused') await sleep(5)
      }

      await starting
      assert.deepEqual(
        [...answers].filter((status) => status !== 'refused' && status !== '503' && status !== '101'),
        [],
      )
      assert.doesNotMatch(dev.stderr, /failed/)
    } finally {
      await dev.stop()
    }
  })

  it('a port in use: one clear line, exit 1', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const {port} = blocker.address() as {port: number}
    const result = await runCli(['dev', '--dir', scaffoldProject(), '--port', String(port)])
    blocker.close()
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr.trim(),
      `Error: Port ${port} on 127.0.0.1 is in use: stop what runs there, or pass --port <n> (--port 0 picks a free one).`,
    )
  })

  for (const [name, edit, pattern] of [
    [
      'a route pointing at a missing function',
      (text: string) =>
        text.replace('FunctionArn: !GetAtt SendmessageFunction.Arn', 'FunctionArn: !GetAtt NoSuchFunction.Arn'),
      /SendmessageIntegration.*sendmessage/,
    ],
    [
      'a missing Code path',
      (text: string) => text.replace('Code: src/handlers/sendmessage.ts', 'Code: src/handlers/missing.ts'),
      /SendmessageFunction.*src\/handlers\/missing\.ts/,
    ],
    [
      'a bad selection expression',
      (text: string) =>
        text.replace(
          'RouteSelectionExpression: "$request.body.message"',
          'RouteSelectionExpression: "$request.header.x"',
        ),
      /WebSocketApi.*\$request\.header\.x/,
    ],
  ] as Array<[string, (text: string) => string, RegExp]>) {
    it(`a template with ${name}: one error naming the resource, exit 2`, async () => {
      const dir = scaffoldProject()
      const template = join(dir, 'template.yaml')
      const edited = edit(readFileSync(template, 'utf8'))
      assert.notEqual(edited, readFileSync(template, 'utf8'))
      writeFileSync(template, edited)
      const result = await runCli(['dev', '--dir', dir, '--port', '0'])
      assert.equal(result.code, 2, result.stderr)
      assert.match(result.stderr, pattern)
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
    })
  }

  it('a handler that does not compile: the esbuild error with file and line, exit 1', async () => {
    const dir = scaffoldProject()
    writeFileSync(join(dir, 'src', 'handlers', 'connect.ts'), 'export const handler = (\n')
    const result = await runCli(['dev', '--dir', dir, '--port', '0'])
    assert.equal(result.code, 1)
    assert.match(
      result.stderr,
      /ConnectFunction \(src\/handlers\/connect\.ts\):\nsrc\/handlers\/connect\.ts:\d+:\d+: error:/,
    )
  })

  it('bad flag values: exit 2 with what to write', async () => {
    const result = await runCli(['dev', '--dir', scaffoldProject(), '--idle-timeout', 'soon'])
    assert.equal(result.code, 2)
    assert.equal(
      result.stderr.trim(),
      'Error: Invalid --idle-timeout: give a positive duration such as 500ms, 30s, 10m or 2h (a bare number is seconds), not "soon" (see --help)',
    )
    const rate = await runCli(['dev', '--dir', scaffoldProject(), '--connections-rate-limit', 'fast'])
    assert.equal(rate.code, 2)
    assert.match(
      rate.stderr,
      /Invalid --connections-rate-limit "fast": give requests per second such as 10000, or off for no limit/,
    )
  })
})
