import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {buildProject} from '../../../src/lib/bundle/index.js'
import {WsapiError} from '../../../src/lib/errors.js'
import type {CfnTemplate} from '../../../src/lib/project/index.js'
import {validateAgainstSpec} from '../../helpers/cfn-spec.js'
import {scaffoldProject} from '../../helpers/project.js'
import {unzip} from '../../helpers/unzip.js'

describe('buildProject', function () {
  this.timeout(60_000)

  it('writes zips named by their SHA-256 and a template that deploys them', async () => {
    const dir = scaffoldProject({auth: 'token', routes: 'sendmessage,join'})
    const result = await buildProject(dir)
    assert.deepEqual(result.functions.map((fn) => fn.logicalId).sort(), ['AuthorizerFunction', 'ConnectFunction', 'DefaultFunction', 'DisconnectFunction', 'FanoutFunction', 'JoinFunction', 'SendmessageFunction'])

    const template = JSON.parse(readFileSync(result.templatePath, 'utf8')) as CfnTemplate
    assert.deepEqual(validateAgainstSpec(template), [])
    assert.deepEqual(template.Parameters!.ArtifactBucket, {Description: 'S3 bucket holding the function zips (set by wsapi deploy).', Type: 'String'})
    for (const fn of result.functions) {
      assert.deepEqual(template.Resources[fn.logicalId].Properties!.Code, {S3Bucket: {Ref: 'ArtifactBucket'}, S3Key: {'Fn::Sub': `${'${AWS::StackName}'}/${fn.sha256}.zip`}})
      const zip = readFileSync(fn.zipPath)
      const {createHash} = await import('node:crypto')
      assert.equal(createHash('sha256').update(zip).digest('hex'), fn.sha256)
      const files = unzip(zip)
      assert.deepEqual(files.map((file) => file.name), ['index.mjs', 'index.mjs.map'])
      const code = files[0].data.toString()
      // @aws-sdk stays external (Lambda provides it), the code is minified, and the map is linked.
      assert.ok(!code.includes('class DynamoDBClient'), `${fn.logicalId} bundles the AWS SDK`)
      assert.match(code, /\/\/# sourceMappingURL=index\.mjs\.map\s*$/)
      assert.ok(code.split('\n').length < 10, `${fn.logicalId} is not minified`)
    }

    // What build's template names in any stack is the key deploy uploads to: <stack>/<sha256>.zip.
    const {deployableArtifacts} = await import('../../../src/lib/deploy/deploy-project.js')
    const deployable = deployableArtifacts(result, 'chat-prod')
    for (const fn of result.functions) {
      const sub = (template.Resources[fn.logicalId].Properties!.Code as {S3Key: {'Fn::Sub': string}}).S3Key['Fn::Sub']
      const key = sub.replace('${AWS::StackName}', 'chat-prod')
      assert.equal(key, `chat-prod/${fn.sha256}.zip`)
      assert.ok(deployable.artifacts.some((artifact) => artifact.key === key))
      assert.equal((deployable.template.Resources[fn.logicalId].Properties!.Code as {S3Key: string}).S3Key, key)
    }

    const send = unzip(readFileSync(result.functions.find((fn) => fn.logicalId === 'SendmessageFunction')!.zipPath))[0].data.toString()
    assert.match(send, /from"@aws-sdk\/client-apigatewaymanagementapi"/)
    assert.match(send, /from"@aws-sdk\/client-dynamodb"/)
    const map = JSON.parse(unzip(readFileSync(result.functions[0].zipPath))[1].data.toString())
    assert.ok(map.sources.some((source: string) => source.startsWith('src/')), JSON.stringify(map.sources))
  })

  it('produces a bundle Lambda can load: ESM index.mjs exporting handler', async () => {
    const dir = scaffoldProject()
    const result = await buildProject(dir)
    // $default imports no AWS SDK, so its bundle runs as it is here.
    const module = await import(pathToFileURL(join(result.buildDir, 'DefaultFunction', 'index.mjs')).href)
    const reply = await module.handler({body: 'huh', isBase64Encoded: false, requestContext: {connectionId: 'x', routeKey: '$default'}})
    assert.equal(reply.statusCode, 200)
    assert.deepEqual(JSON.parse(reply.body).routes, ['sendmessage'])
  })

  it('gives byte-identical zips for the same sources, and changes only what changed', async () => {
    const dir = scaffoldProject()
    const first = await buildProject(dir)
    const firstTemplate = readFileSync(first.templatePath)
    const second = await buildProject(dir)
    assert.deepEqual(second.functions.map((fn) => fn.sha256), first.functions.map((fn) => fn.sha256))
    assert.ok(readFileSync(second.templatePath).equals(firstTemplate))

    const handler = join(dir, 'src/handlers/disconnect.ts')
    writeFileSync(handler, readFileSync(handler, 'utf8').replace("route: '$disconnect'", "route: '$disconnect', edited: true"))
    const third = await buildProject(dir)
    for (const [index, fn] of third.functions.entries()) {
      assert.equal(fn.sha256 === first.functions[index].sha256, fn.logicalId !== 'DisconnectFunction', fn.logicalId)
    }
  })

  it('gives the deployment a new logical id when a route changes', async () => {
    const dir = scaffoldProject()
    const before = JSON.parse(readFileSync((await buildProject(dir)).templatePath, 'utf8')) as CfnTemplate
    const path = join(dir, 'template.yaml')
    writeFileSync(path, readFileSync(path, 'utf8').replace('RouteKey: "sendmessage"', 'RouteKey: "send"'))
    const after = JSON.parse(readFileSync((await buildProject(dir)).templatePath, 'utf8')) as CfnTemplate
    const deploymentOf = (template: CfnTemplate) => (template.Resources.Stage.Properties!.DeploymentId as {Ref: string}).Ref
    assert.notEqual(deploymentOf(after), deploymentOf(before))
    assert.equal(after.Resources[deploymentOf(after)].Type, 'AWS::ApiGatewayV2::Deployment')
    assert.deepEqual(validateAgainstSpec(after), [])
  })

  it('reports a handler that does not compile with file:line and exit 1', async () => {
    const dir = scaffoldProject()
    const handler = join(dir, 'src/handlers/sendmessage.ts')
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const broken = {\n`)
    await assert.rejects(buildProject(dir), (error: unknown) => {
      assert.ok(error instanceof WsapiError)
      assert.equal(error.exit, 1)
      assert.match(error.message, /SendmessageFunction \(src\/handlers\/sendmessage\.ts\)/)
      assert.match(error.message, /src\/handlers\/sendmessage\.ts:\d+:\d+: error: /)
      return true
    })
  })
})
