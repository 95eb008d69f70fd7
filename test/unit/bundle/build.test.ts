import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {buildProject} from '../../../src/lib/bundle/index.js'
import {WsapiError} from '../../../src/lib/errors.js'
import {type CfnTemplate, loadProject} from '../../../src/lib/project/index.js'
import {validateAgainstSpec} from '../../helpers/cfn-spec.js'
import {scaffoldProject} from '../../helpers/project.js'
import {unzip} from '../../helpers/unzip.js'

describe('buildProject', function () {
  this.timeout(60_000)

  it('writes zips named by their SHA-256 and a template that deploys them', async () => {
    const dir = scaffoldProject({auth: 'token', routes: 'sendmessage,join'})
    const result = await buildProject(loadProject(dir))
    assert.deepEqual(result.functions.map((fn) => fn.logicalId).sort(), [
      'AuthorizerFunction',
      'ConnectFunction',
      'DefaultFunction',
      'DisconnectFunction',
      'FanoutFunction',
      'JoinFunction',
      'SendmessageFunction',
    ])

    // The template in memory is the one written out.
    const template = JSON.parse(readFileSync(result.templatePath, 'utf8')) as CfnTemplate
    assert.deepEqual(template, result.template)
    assert.deepEqual(validateAgainstSpec(template), [])
    assert.deepEqual(template.Parameters!.ArtifactBucket, {
      Description: 'S3 bucket holding the function zips (set by wsapi deploy).',
      Type: 'String',
    })
    assert.equal(result.stackName, 'chat-v1')
    for (const fn of result.functions) {
      // The key build reports is the one its template names: the stack's prefix and the zip's SHA-256.
      assert.equal(fn.s3Key, `chat-v1/${fn.sha256}.zip`)
      assert.deepEqual(template.Resources[fn.logicalId].Properties!.Code, {
        S3Bucket: {Ref: 'ArtifactBucket'},
        S3Key: fn.s3Key,
      })
      const zip = readFileSync(fn.zipPath)
      assert.ok(zip.equals(fn.zip), 'the zip in memory is the one written out')
      const {createHash} = await import('node:crypto')
      assert.equal(createHash('sha256').update(zip).digest('hex'), fn.sha256)
      const files = unzip(zip)
      assert.deepEqual(
        files.map((file) => file.name),
        ['index.mjs', 'index.mjs.map'],
      )
      const code = files[0].data.toString()
      // @aws-sdk stays external (Lambda provides it), the code is minified, and the map is linked.
      assert.ok(!code.includes('class DynamoDBClient'), `${fn.logicalId} bundles the AWS SDK`)
      assert.match(code, /\/\/# sourceMappingURL=index\.mjs\.map\s*$/)
      assert.ok(code.split('\n').length < 10, `${fn.logicalId} is not minified`)
    }

    // Another stage is another stack, under its own prefix; the zips are the same.
    const prod = await buildProject(loadProject(dir, {stage: 'prod'}))
    assert.deepEqual(
      prod.functions.map((fn) => fn.s3Key),
      result.functions.map((fn) => `chat-prod/${fn.sha256}.zip`),
    )

    const send = unzip(
      readFileSync(result.functions.find((fn) => fn.logicalId === 'SendmessageFunction')!.zipPath),
    )[0].data.toString()
    assert.match(send, /from"@aws-sdk\/client-apigatewaymanagementapi"/)
    assert.match(send, /from"@aws-sdk\/client-dynamodb"/)
    const map = JSON.parse(unzip(readFileSync(result.functions[0].zipPath))[1].data.toString())
    assert.ok(
      map.sources.some((source: string) => source.startsWith('src/')),
      JSON.stringify(map.sources),
    )
  })

  it('produces a bundle Lambda can load: ESM index.mjs exporting handler', async () => {
    const dir = scaffoldProject()
    const result = await buildProject(loadProject(dir))
    // $default imports no AWS SDK, so its bundle runs as it is here.
    const module = await import(pathToFileURL(join(result.buildDir, 'DefaultFunction', 'index.mjs')).href)
    const reply = await module.handler({
      body: 'huh',
      isBase64Encoded: false,
      requestContext: {connectionId: 'x', routeKey: '$default'},
    })
    assert.equal(reply.statusCode, 200)
    assert.deepEqual(JSON.parse(reply.body).routes, ['sendmessage'])
  })

  it('gives byte-identical zips for the same sources, and changes only what changed', async () => {
    const dir = scaffoldProject()
    const first = await buildProject(loadProject(dir))
    const firstTemplate = readFileSync(first.templatePath)
    const second = await buildProject(loadProject(dir))
    assert.deepEqual(
      second.functions.map((fn) => fn.sha256),
      first.functions.map((fn) => fn.sha256),
    )
    assert.ok(readFileSync(second.templatePath).equals(firstTemplate))

    const handler = join(dir, 'src/handlers/disconnect.ts')
    writeFileSync(
      handler,
      readFileSync(handler, 'utf8').replace("route: '$disconnect'", "route: '$disconnect', edited: true"),
    )
    const third = await buildProject(loadProject(dir))
    for (const [index, fn] of third.functions.entries()) {
      assert.equal(fn.sha256 === first.functions[index].sha256, fn.logicalId !== 'DisconnectFunction', fn.logicalId)
    }
  })

  it('gives the deployment a new logical id when a route changes', async () => {
    const dir = scaffoldProject()
    const before = JSON.parse(readFileSync((await buildProject(loadProject(dir))).templatePath, 'utf8')) as CfnTemplate
    const path = join(dir, 'template.yaml')
    writeFileSync(path, readFileSync(path, 'utf8').replace('RouteKey: "sendmessage"', 'RouteKey: "send"'))
    const after = JSON.parse(readFileSync((await buildProject(loadProject(dir))).templatePath, 'utf8')) as CfnTemplate
    const deploymentOf = (template: CfnTemplate) =>
      (template.Resources.Stage.Properties!.DeploymentId as {Ref: string}).Ref
    assert.notEqual(deploymentOf(after), deploymentOf(before))
    assert.equal(after.Resources[deploymentOf(after)].Type, 'AWS::ApiGatewayV2::Deployment')
    assert.deepEqual(validateAgainstSpec(after), [])
  })

  it('reports a handler that does not compile with file:line and exit 1', async () => {
    const dir = scaffoldProject()
    const handler = join(dir, 'src/handlers/sendmessage.ts')
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const broken = {\n`)
    await assert.rejects(buildProject(loadProject(dir)), (error: unknown) => {
      assert.ok(error instanceof WsapiError)
      assert.equal(error.exit, 1)
      assert.match(error.message, /SendmessageFunction \(src\/handlers\/sendmessage\.ts\)/)
      assert.match(error.message, /src\/handlers\/sendmessage\.ts:\d+:\d+: error: /)
      return true
    })
  })
})
