import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {functionCode} from '../../../src/lib/dev/functions.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {loadProject} from '../../../src/lib/project/index.js'
import {endpoints, hostFor, stackOf, testProject} from '../../helpers/dev-server.js'

describe('dev: functions', function () {
  this.timeout(60_000)

  it('gives a function the names, ARN, log group and environment it would have once deployed', () => {
    const project = loadProject(testProject())
    const fn = project.functions.DefaultFunction
    const code = functionCode(stackOf(project), fn, {inputs: [], moduleUrl: 'file:///x/index.mjs'}, endpoints)
    assert.equal(code.setup.functionName, 'chat-v1-DefaultFunction')
    assert.equal(code.setup.functionArn, 'arn:aws:lambda:us-east-1:000000000000:function:chat-v1-DefaultFunction')
    assert.equal(code.setup.logGroupName, '/aws/lambda/chat-v1-DefaultFunction')
    assert.equal(code.setup.handlerName, 'handler')
    assert.equal(code.timeoutMs, fn.timeout * 1000)
    assert.equal(code.env.AWS_ENDPOINT_URL_DYNAMODB, endpoints.dynamodbEndpoint)
    assert.equal(code.env.JWT_JWKS, undefined)
    const withKeys = functionCode(stackOf(project), fn, {inputs: [], moduleUrl: 'file:///x/index.mjs'}, endpoints, {
      keys: [],
    })
    assert.equal(withKeys.env.JWT_JWKS, '{"keys":[]}')
  })

  it('bundles and runs every function; an unknown one is ResourceNotFoundException', async () => {
    const project = loadProject(testProject())
    const host = hostFor(project)
    try {
      await host.load(project)
      assert.ok(host.inputs().some((input) => input.endsWith(join('src', 'handlers', 'default.ts'))))
      const outcome = await host.invoke(
        'DefaultFunction',
        {body: 'hi', requestContext: {connectionId: 'c1', routeKey: '$default'}},
        'r1',
        'c1',
        true,
      )
      assert.ok(outcome.ok)
      assert.equal((JSON.parse((outcome.payload as {body: string}).body) as {echo: string}).echo, 'hi')
      const missing = await host.run('Nope', '{}', 'r2')
      assert.ok(!missing.ok && missing.error.errorType === 'ResourceNotFoundException')
    } finally {
      await host.close()
    }
  })

  it('reports every build failure at once', async () => {
    const dir = testProject()
    writeFileSync(join(dir, 'src/handlers/default.ts'), 'export const handler = (')
    writeFileSync(join(dir, 'src/handlers/connect.ts'), 'export const handler = {')
    const project = loadProject(dir)
    const host = hostFor(project)
    await assert.rejects(host.load(project), (error: Error & {code?: string}) => {
      assert.equal(error.code, 'BUILD_FAILED')
      assert.match(error.message, /DefaultFunction \(src\/handlers\/default\.ts\)/)
      assert.match(error.message, /ConnectFunction \(src\/handlers\/connect\.ts\)/)
      return true
    })
    await host.close()
  })

  it('gives up on an invocation at the integration timeout, as API Gateway does', async () => {
    const dir = testProject()
    writeFileSync(join(dir, 'src/handlers/default.ts'), 'export const handler = () => new Promise(() => {})\n')
    const project = loadProject(dir)
    const host = hostFor(project, new RecordingOutput(), 300)
    try {
      await host.load(project)
      const outcome = await host.invoke('DefaultFunction', {}, 'r1', 'c1', true)
      assert.deepEqual(outcome, {durationMs: 300, ok: false, reason: 'integration-timeout'})
    } finally {
      await host.close()
    }
  })

  it('rebuilds the functions a changed file feeds, and runs their new code', async () => {
    const dir = testProject()
    const project = loadProject(dir)
    const host = hostFor(project)
    try {
      await host.load(project)
      const file = join(dir, 'src/handlers/default.ts')
      assert.deepEqual(
        host.affectedBy(new Set([file])).map((fn) => fn.logicalId),
        ['DefaultFunction'],
      )
      writeFileSync(file, "export const handler = async () => ({body: 'v2', statusCode: 200})\n")
      await host.rebuild(dir, host.affectedBy(new Set([file])))
      assert.deepEqual(await host.start(['DefaultFunction']), [{error: undefined, logicalId: 'DefaultFunction'}])
      const outcome = await host.invoke('DefaultFunction', {}, 'r1', 'c1', false)
      assert.ok(outcome.ok)
      assert.equal((outcome.payload as {body: string}).body, 'v2')
    } finally {
      await host.close()
    }
  })
})
