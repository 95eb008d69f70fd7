import assert from 'node:assert/strict'
import fs, {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {syncBuiltinESMExports} from 'node:module'
import {join} from 'node:path'

import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation'

import {type DeployProjectResult, Secrets} from '../../../src/lib/deploy/index.js'
import {WsapiError} from '../../../src/lib/errors.js'
import {useMockedAws} from '../../helpers/aws-mocks.js'
import {SimError} from '../../helpers/fake-cloudformation.js'
import {changeSetInputs, deploy, deployed} from '../../helpers/deploy.js'
import {scaffoldProject} from '../../helpers/project.js'

const SECRET = 'correct-horse-battery-staple-42'

describe('deployProject (CloudFormation mocked, S3 real on s3rver)', function () {
  this.timeout(60_000)
  const fake = useMockedAws({buckets: ['own-bucket']})

  it('creates a new stack: bootstrap bucket, uploads, CREATE change set, live events, outputs saved', async () => {
    const dir = scaffoldProject()
    const {listener, output, result} = await deploy(dir)
    const done = deployed(result)
    assert.equal(done.operation, 'CREATE')
    assert.equal(done.noOp, false)
    assert.equal(done.status, 'CREATE_COMPLETE')
    assert.equal(done.stackName, 'chat-v1')

    // The managed bucket came from the bootstrap stack, created once through its own change set.
    const bootstrap = changeSetInputs(fake, 'wsapi-bootstrap')
    assert.equal(bootstrap.length, 1)
    assert.equal(bootstrap[0].ChangeSetType, 'CREATE')
    const bucket = fake.aws.sim
      .stack('wsapi-bootstrap')!
      .resources.find((resource) => resource.logicalId === 'ArtifactBucket')!.physicalId
    assert.equal(done.artifacts.bucket, bucket)
    assert.equal(done.artifacts.managed, true)

    // Every zip uploaded under the stack's prefix, and the template points at exactly those keys.
    assert.equal(done.artifacts.uploaded.length, 5)
    assert.deepEqual(
      fake.s3.puts.filter((put) => put.startsWith(bucket)).sort(),
      done.artifacts.uploaded.map((artifact) => `${bucket}/${artifact.key}`).sort(),
    )
    for (const artifact of done.artifacts.uploaded) assert.match(artifact.key, /^chat-v1\/[0-9a-f]{64}\.zip$/)

    const [input] = changeSetInputs(fake, 'chat-v1')
    assert.equal(input.ChangeSetType, 'CREATE')
    // Only what the template needs: its roles have no names, and it has no Transform or nested stack.
    assert.deepEqual(input.Capabilities, ['CAPABILITY_IAM'])
    assert.equal(bootstrap[0].Capabilities, undefined)
    assert.deepEqual(input.Parameters, [
      {ParameterKey: 'StageName', ParameterValue: 'v1'},
      {ParameterKey: 'ArtifactBucket', ParameterValue: bucket},
    ])
    assert.deepEqual(input.Tags, [
      {Key: 'wsapi:project', Value: 'chat'},
      {Key: 'wsapi:stage', Value: 'v1'},
    ])
    assert.match(input.ClientToken!, /^wsapi-/)
    const template = JSON.parse(input.TemplateBody!)
    assert.deepEqual(
      Object.values(template.Resources as Record<string, {Properties: {Code?: {S3Key: string}}; Type: string}>)
        .filter((resource) => resource.Type === 'AWS::Lambda::Function')
        .map((resource) => resource.Properties.Code!.S3Key)
        .sort(),
      done.artifacts.uploaded.map((artifact) => artifact.key).sort(),
    )

    // Executed idempotently, events streamed oldest first with progress up to N/N.
    const executes = fake.aws.cfn.commandCalls(ExecuteChangeSetCommand).map((call) => call.args[0].input)
    assert.equal(executes.length, 2)
    assert.match(executes[1].ClientRequestToken!, /^wsapi-exec-/)
    const chat = listener.activities.filter((activity) => activity.event.stackId === done.stackId)
    assert.equal(chat[0].event.status, 'CREATE_IN_PROGRESS')
    assert.equal(chat.at(-1)!.event.status, 'CREATE_COMPLETE')
    assert.equal(chat.at(-1)!.event.logicalId, 'chat-v1')
    const total = done.changes.length
    assert.ok(total > 20, `${total} changes`)
    assert.equal(chat.at(-1)!.done, total)
    assert.deepEqual(
      listener.starts.map((start) => [start.stackName, start.operation, start.total]),
      [
        ['wsapi-bootstrap', 'CREATE', 2],
        ['chat-v1', 'CREATE', total],
      ],
    )
    for (let i = 1; i < chat.length; i++)
      assert.ok(chat[i].event.timestamp >= chat[i - 1].event.timestamp, 'events oldest first')
    // DescribeStackEvents was paged (page size 4) with NextToken.
    assert.ok(
      fake.aws.cfn.commandCalls(DescribeStackEventsCommand).some((call) => call.args[0].input.NextToken !== undefined),
    )

    // Outputs: WebSocketUrl first, saved for `wsapi connect`.
    assert.deepEqual(Object.keys(done.outputs), [
      'WebSocketUrl',
      'ManagementEndpoint',
      'ApiId',
      'StageName',
      'ConnectionsTable',
      'DeadLetterQueue',
    ])
    assert.match(done.outputs.WebSocketUrl, /^wss:\/\/[0-9a-f]{10}\.execute-api\.eu-west-1\.amazonaws\.com\/v1$/)
    const saved = JSON.parse(readFileSync(join(dir, '.wsapi/outputs/v1.json'), 'utf8'))
    assert.deepEqual(saved.outputs, done.outputs)
    assert.equal(saved.stackName, 'chat-v1')
    assert.equal(saved.region, 'eu-west-1')
    assert.match(output.text(), /Deploying chat-v1 to account 123456789012 in eu-west-1/)
    assert.match(output.text(), /Artifacts: uploaded 5 \(\d+ bytes\)/)
  })

  it('deploys twice safely: the second run uploads nothing and is a no-op whose change set is deleted', async () => {
    const dir = scaffoldProject()
    deployed((await deploy(dir)).result)
    const putsBefore = fake.s3.puts.length
    const executesBefore = fake.aws.cfn.commandCalls(ExecuteChangeSetCommand).length
    const {output, result} = await deploy(dir)
    const again = deployed(result)
    assert.equal(again.noOp, true)
    assert.equal(again.operation, 'NONE')
    assert.equal(again.artifacts.uploaded.length, 0)
    assert.equal(again.artifacts.present.length, 5)
    assert.equal(fake.s3.puts.length, putsBefore, 'nothing uploaded')
    assert.equal(fake.aws.cfn.commandCalls(ExecuteChangeSetCommand).length, executesBefore, 'nothing executed')
    const second = changeSetInputs(fake, 'chat-v1')[1]
    assert.equal(second.ChangeSetType, 'UPDATE')
    const deletedChangeSets = fake.aws.cfn
      .commandCalls(DeleteChangeSetCommand)
      .map((call) => call.args[0].input.ChangeSetName)
    assert.equal(deletedChangeSets.length, 1)
    assert.match(deletedChangeSets[0]!, /changeSet\/wsapi-/)
    assert.equal(fake.aws.sim.stack('chat-v1')!.changeSets.size, 1, 'only the executed change set is left')
    // The bootstrap stack was found as it was: one DescribeStacks, no second change set.
    assert.equal(changeSetInputs(fake, 'wsapi-bootstrap').length, 1)
    assert.match(output.text(), /all 5 already in s3:\/\//)
    assert.equal(
      again.outputs.WebSocketUrl,
      JSON.parse(readFileSync(join(dir, '.wsapi/outputs/v1.json'), 'utf8')).outputs.WebSocketUrl,
    )
  })

  it('updates: only the changed function is uploaded, the change set is UPDATE, superseded zips are hidden', async () => {
    const dir = scaffoldProject()
    const first = deployed((await deploy(dir)).result)
    const handler = join(dir, 'src/handlers/default.ts')
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}\n// changed\nexport const version = 2\n`)
    const plans: string[][] = []
    const {listener, result} = await deploy(dir, {
      onChangeSet: (plan) => plans.push(plan.changes.map((change) => `${change.action} ${change.logicalId}`)),
    })
    const second = deployed(result)
    assert.equal(second.operation, 'UPDATE')
    assert.deepEqual(plans, [['Modify DefaultFunction']])
    assert.equal(second.artifacts.uploaded.length, 1)
    assert.equal(second.artifacts.uploaded[0].label, 'DefaultFunction')
    assert.equal(second.artifacts.present.length, 4)
    const stale = first.artifacts.uploaded.find((artifact) => artifact.label === 'DefaultFunction')!.key
    assert.deepEqual(second.artifacts.removed, [stale])
    assert.equal(await fake.s3.objectExists(second.artifacts.bucket, stale), false)
    assert.equal(await fake.s3.objectExists(second.artifacts.bucket, second.artifacts.uploaded[0].key), true)
    assert.deepEqual(
      listener.starts.map((start) => [start.operation, start.total]),
      [['UPDATE', 1]],
    )
    assert.deepEqual(
      listener.lines().filter((line) => line.startsWith('chat-v1')),
      ['chat-v1 UPDATE_IN_PROGRESS', 'chat-v1 UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'chat-v1 UPDATE_COMPLETE'],
    )
  })

  it('a failed update shows the root cause (not the cancelled neighbours) and waits for the rollback', async () => {
    const dir = scaffoldProject()
    deployed((await deploy(dir)).result)
    for (const name of ['default', 'connect']) {
      const handler = join(dir, `src/handlers/${name}.ts`)
      writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const changed = true\n`)
    }

    const reason =
      'Resource handler returned message: "Memory size 20000 is not within the range 128-10240 (Service: Lambda, Status Code: 400)"'
    fake.aws.sim.failOnApply.set('ConnectFunction', reason)
    const {listener, result} = await deploy(dir)
    assert.equal(result.type, 'failed')
    const failed = result as Extract<DeployProjectResult, {type: 'failed'}>
    assert.equal(failed.status, 'UPDATE_ROLLBACK_COMPLETE')
    assert.deepEqual(failed.rootCause, [
      {logicalId: 'ConnectFunction', reason, resourceType: 'AWS::Lambda::Function', status: 'UPDATE_FAILED'},
    ])
    // The neighbour was cancelled, and the rollback ran to the end before the result came back.
    const lines = listener.lines()
    assert.ok(lines.includes('DefaultFunction UPDATE_FAILED'), lines.join('\n'))
    assert.deepEqual(lines.slice(-2), [
      'chat-v1 UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'chat-v1 UPDATE_ROLLBACK_COMPLETE',
    ])
    assert.equal(existsSync(join(dir, '.wsapi/outputs/v1.json')), true, 'the outputs of the last good deploy stay')
  })

  it('a failed first create ends in ROLLBACK_COMPLETE; the next deploy deletes that stack, says so, and creates it again', async () => {
    const dir = scaffoldProject()
    fake.aws.sim.failOnApply.set(
      'ConnectionsTable',
      'Resource handler returned message: "Table already exists: chat" (HandlerErrorCode: AlreadyExists)',
    )
    const first = (await deploy(dir)).result
    assert.equal(first.type, 'failed')
    assert.equal((first as Extract<DeployProjectResult, {type: 'failed'}>).status, 'ROLLBACK_COMPLETE')
    assert.equal((first as Extract<DeployProjectResult, {type: 'failed'}>).rootCause[0].logicalId, 'ConnectionsTable')
    const failedId = fake.aws.sim.stack('chat-v1')!.stackId

    fake.aws.sim.failOnApply.clear()
    const {listener, output, result} = await deploy(dir)
    const second = deployed(result)
    assert.equal(second.operation, 'CREATE')
    assert.match(
      output.text('warn'),
      /chat-v1 is ROLLBACK_COMPLETE: its first create failed.*Deleting it, then creating it again/,
    )
    const deletes = fake.aws.cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input)
    assert.equal(deletes.at(-1)!.StackName, failedId)
    assert.deepEqual(
      listener.starts.map((start) => start.operation),
      ['DELETE', 'CREATE'],
    )
    assert.notEqual(second.stackId, failedId)
    assert.equal(changeSetInputs(fake, 'chat-v1').at(-1)!.ChangeSetType, 'CREATE')
  })

  it('waits for an operation in progress, or stops with --no-wait', async () => {
    const dir = scaffoldProject()
    deployed((await deploy(dir)).result)
    const changeSetsBefore = fake.aws.cfn.commandCalls(CreateChangeSetCommand).length
    fake.aws.sim.startForeignUpdate('chat-v1')
    await assert.rejects(deploy(dir, {wait: false}), (error: WsapiError) => {
      assert.equal(error.code, 'STACK_BUSY')
      assert.equal(error.exit, 1)
      assert.match(
        error.message,
        /^Stack chat-v1 is busy \(UPDATE_IN_PROGRESS\): wait for that operation to finish \(`wsapi status`\) and re-run, or run without --no-wait/,
      )
      return true
    })
    assert.equal(fake.aws.cfn.commandCalls(CreateChangeSetCommand).length, changeSetsBefore, 'no change set while busy')

    fake.aws.sim.startForeignUpdate('chat-v1')
    const {listener, output, result} = await deploy(dir)
    assert.equal(deployed(result).noOp, true)
    assert.match(output.text(), /Stack chat-v1 is UPDATE_IN_PROGRESS: waiting for that operation to finish/)
    assert.equal(listener.starts[0].operation, 'WAIT')
    assert.deepEqual(listener.lines(), ['chat-v1 UPDATE_IN_PROGRESS', 'chat-v1 UPDATE_COMPLETE'])
    assert.equal(
      fake.aws.cfn.commandCalls(CreateChangeSetCommand).length,
      changeSetsBefore + 1,
      'the change set came after the wait',
    )
  })

  it('--no-execute leaves a change set in review (REVIEW_IN_PROGRESS); the next deploy creates into that stack', async () => {
    const dir = scaffoldProject()
    const plans: unknown[] = []
    const {result} = await deploy(dir, {execute: false, onChangeSet: (plan) => plans.push(plan)})
    assert.equal(result.type, 'review')
    const review = result as Extract<DeployProjectResult, {type: 'review'}>
    assert.match(
      review.executeCommand,
      /^aws cloudformation execute-change-set --change-set-name arn:aws:cloudformation:eu-west-1:123456789012:changeSet\/wsapi-\S+ --region eu-west-1$/,
    )
    assert.equal(plans.length, 1)
    assert.equal(fake.aws.sim.stack('chat-v1')!.status, 'REVIEW_IN_PROGRESS')
    assert.equal(
      fake.aws.cfn
        .commandCalls(ExecuteChangeSetCommand)
        .filter((call) => call.args[0].input.ChangeSetName === review.changeSetId).length,
      0,
    )
    assert.equal(existsSync(join(dir, '.wsapi/outputs/v1.json')), false)

    const second = deployed((await deploy(dir)).result)
    assert.equal(second.operation, 'CREATE')
    assert.equal(changeSetInputs(fake, 'chat-v1').at(-1)!.ChangeSetType, 'CREATE')
    assert.equal(second.status, 'CREATE_COMPLETE')
  })

  it('declining the change set deletes it, and the REVIEW_IN_PROGRESS stack it created', async () => {
    const dir = scaffoldProject()
    const {result} = await deploy(dir, {confirm: async (plan) => plan.changes.length === 0})
    assert.equal(result.type, 'declined')
    const chat = changeSetInputs(fake, 'chat-v1')
    assert.equal(chat.length, 1)
    assert.equal(fake.aws.cfn.commandCalls(DeleteChangeSetCommand).length, 1)
    const reviewStack = fake.aws.sim.stacks.find((stack) => stack.stackName === 'chat-v1')!
    assert.deepEqual(
      fake.aws.cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input.StackName),
      [reviewStack.stackId],
      'the REVIEW_IN_PROGRESS stack made by the change set is deleted',
    )
    assert.equal(fake.aws.cfn.commandCalls(ExecuteChangeSetCommand).length, 1, 'only the bootstrap stack was executed')
  })

  describe('the $connect authorizer secret', () => {
    /** The generated AuthTokenSecret defaults to empty (Secrets Manager generates the token); without the default it must be given. */
    function requireAuthTokenSecret(dir: string): void {
      const file = join(dir, 'template.yaml')
      const text = readFileSync(file, 'utf8')
      assert.equal(text.split("    Default: ''\n").length, 2)
      writeFileSync(file, text.replace("    Default: ''\n", ''))
    }

    it('is not needed: left empty, Secrets Manager generates the token, and the AuthTokenSecretArn output says where it is', async () => {
      const dir = scaffoldProject({auth: 'token'})
      const done = deployed((await deploy(dir)).result)
      const create = changeSetInputs(fake, 'chat-v1')[0]
      assert.equal(
        create.Parameters!.find((parameter) => parameter.ParameterKey === 'AuthTokenSecret'),
        undefined,
      )
      assert.match(done.outputs.AuthTokenSecretArn, /AuthToken/)
      assert.deepEqual(done.secretCommands, [
        {
          command: `aws secretsmanager get-secret-value --secret-id ${done.outputs.AuthTokenSecretArn} --query SecretString --output text --region eu-west-1`,
          output: 'AuthTokenSecretArn',
        },
      ])
    })

    it('comes from WSAPI_PARAMETER_AuthTokenSecret for a template that declares it; other such variables are ignored', async () => {
      const dir = scaffoldProject({auth: 'token'})
      const {output, result} = await deploy(dir, {
        environmentParameters: {AuthTokenSecret: SECRET, SomeOtherProjects: 'x'},
      })
      deployed(result)
      assert.deepEqual(
        changeSetInputs(fake, 'chat-v1')[0].Parameters!.find(
          (parameter) => parameter.ParameterKey === 'AuthTokenSecret',
        ),
        {ParameterKey: 'AuthTokenSecret', ParameterValue: SECRET},
      )
      assert.ok(!JSON.stringify(output.lines).includes(SECRET))
      assert.ok(!JSON.stringify(result).includes(SECRET))
    })

    it('without a default, is required before anything is built or uploaded when there is no way to ask', async () => {
      const dir = scaffoldProject({auth: 'token'})
      requireAuthTokenSecret(dir)
      const putsBefore = fake.s3.puts.length
      await assert.rejects(deploy(dir), (error: WsapiError) => {
        assert.equal(error.exit, 2)
        assert.equal(error.code, 'MISSING_PARAMETER')
        assert.match(
          error.message,
          /Parameter AuthTokenSecret has no value .*: set WSAPI_PARAMETER_AuthTokenSecret or pipe it to --parameter-stdin AuthTokenSecret .*, or run in a terminal to be asked\./,
        )
        return true
      })
      assert.equal(fake.s3.puts.length, putsBefore)
      assert.equal(fake.aws.cfn.commandCalls(CreateChangeSetCommand).length, 0)
      assert.equal(existsSync(join(dir, '.wsapi/build')), false, 'nothing built')
    })

    it('without a default, is asked for (hidden) when interactive, passed to CloudFormation, never printed; updates keep it (UsePreviousValue)', async () => {
      const dir = scaffoldProject({auth: 'token'})
      requireAuthTokenSecret(dir)
      const asked: Array<{key: string; noEcho: boolean}> = []
      const first = await deploy(dir, {
        async prompt(parameter) {
          asked.push({key: parameter.key, noEcho: parameter.noEcho})
          return SECRET
        },
      })
      deployed(first.result)
      assert.deepEqual(asked, [{key: 'AuthTokenSecret', noEcho: true}])
      const create = changeSetInputs(fake, 'chat-v1')[0]
      assert.deepEqual(
        create.Parameters!.find((parameter) => parameter.ParameterKey === 'AuthTokenSecret'),
        {ParameterKey: 'AuthTokenSecret', ParameterValue: SECRET},
      )
      assert.ok(!JSON.stringify(first.output.lines).includes(SECRET))
      assert.ok(!JSON.stringify(first.result).includes(SECRET))
      assert.ok(!readFileSync(join(dir, '.wsapi/outputs/v1.json'), 'utf8').includes(SECRET))
      assert.ok(!readFileSync(join(dir, '.wsapi/build/template.json'), 'utf8').includes(SECRET))
      // AWS shows NoEcho values as ****.
      assert.equal(fake.aws.sim.stack('chat-v1')!.parameters.AuthTokenSecret, SECRET)

      // An update without the secret: not asked again, the stack keeps its value.
      const handler = join(dir, 'src/handlers/default.ts')
      writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const changed = 1\n`)
      deployed((await deploy(dir)).result)
      const update = changeSetInputs(fake, 'chat-v1')[1]
      assert.deepEqual(
        update.Parameters!.find((parameter) => parameter.ParameterKey === 'AuthTokenSecret'),
        {ParameterKey: 'AuthTokenSecret', UsePreviousValue: true},
      )
      assert.equal(fake.aws.sim.stack('chat-v1')!.parameters.AuthTokenSecret, SECRET)

      // A new one given replaces it.
      const rotated = `${SECRET}-rotated`
      const third = deployed((await deploy(dir, {parameters: {AuthTokenSecret: rotated}})).result)
      assert.equal(third.noOp, false)
      assert.equal(fake.aws.sim.stack('chat-v1')!.parameters.AuthTokenSecret, rotated)
    })

    it('is redacted from errors, even when AWS echoes it back', async () => {
      const dir = scaffoldProject({auth: 'token'})
      fake.aws.sim.inject(
        'CreateChangeSet',
        () => new SimError('ValidationError', `Parameter AuthTokenSecret value ${SECRET} is not allowed`),
      )
      const secrets = new Secrets()
      await assert.rejects(deploy(dir, {parameters: {AuthTokenSecret: SECRET}, secrets}), (error: Error) => {
        assert.ok(!error.message.includes(SECRET), error.message)
        assert.match(error.message, /value \*\*\*\* is not allowed/)
        return true
      })
    })

    it('is checked against the template constraints without repeating it', async () => {
      const dir = scaffoldProject({auth: 'token'})
      await assert.rejects(deploy(dir, {parameters: {AuthTokenSecret: 'short-secret'}}), (error: WsapiError) => {
        assert.equal(error.exit, 2)
        assert.equal(
          error.message,
          'Invalid --parameter AuthTokenSecret: the value does not match (.{16,})? (empty, or at least 16 characters).',
        )
        return true
      })
    })
  })

  it('refuses to deploy a jwt project whose issuer is still local (only wsapi dev issues those tokens), before building', async () => {
    const dir = scaffoldProject({auth: 'jwt'})
    for (const parameters of [{}, {JwtIssuer: 'local'}] as Array<Record<string, string>>) {
      await assert.rejects(deploy(dir, {parameters}), (error: WsapiError) => {
        assert.equal(error.exit, 2)
        assert.match(
          error.message,
          /^Parameter JwtIssuer is local, which only wsapi dev can serve: pass --parameter JwtIssuer=<issuer URL>/,
        )
        return true
      })
    }

    assert.equal(fake.aws.cfn.commandCalls(CreateChangeSetCommand).length, 0)
    assert.equal(existsSync(join(dir, '.wsapi/build')), false, 'nothing built')
  })

  it('deploys another stage as another stack', async () => {
    const dir = scaffoldProject()
    const done = deployed((await deploy(dir, {stage: 'prod'})).result)
    assert.equal(done.stackName, 'chat-prod')
    assert.equal(changeSetInputs(fake, 'chat-prod')[0].Parameters![0].ParameterValue, 'prod')
    assert.ok(existsSync(join(dir, '.wsapi/outputs/prod.json')))
    assert.match(done.outputs.WebSocketUrl, /\/prod$/)

    // The keys the build reported (its manifest) are the keys uploaded and the keys the change set names.
    const manifest = JSON.parse(readFileSync(join(dir, '.wsapi/build/manifest.json'), 'utf8')) as {
      functions: Array<{logicalId: string; s3Key: string}>
      stackName: string
    }
    assert.equal(manifest.stackName, 'chat-prod')
    const reported = manifest.functions.map((fn) => fn.s3Key).sort()
    assert.deepEqual(reported, done.artifacts.uploaded.map((artifact) => artifact.key).sort())
    const template = JSON.parse(changeSetInputs(fake, 'chat-prod')[0].TemplateBody!) as {
      Resources: Record<string, {Properties: {Code?: {S3Key: string}}}>
    }
    assert.deepEqual(
      manifest.functions.map((fn) => template.Resources[fn.logicalId].Properties.Code!.S3Key).sort(),
      reported,
    )
  })

  it('reads template.yaml once, and deploys the template it checked even if the file changes meanwhile', async () => {
    const dir = scaffoldProject({auth: 'token'})
    const path = join(dir, 'template.yaml')
    // No default for the token: the deploy asks for it, after reading the template and before building.
    writeFileSync(path, readFileSync(path, 'utf8').replace("    Default: ''\n", ''))
    const original = fs.readFileSync
    let reads = 0
    fs.readFileSync = function (this: unknown, file: Parameters<typeof fs.readFileSync>[0], ...rest: unknown[]) {
      if (String(file) === path) reads++
      return (original as (...args: unknown[]) => unknown).call(this, file, ...rest)
    } as typeof fs.readFileSync
    syncBuiltinESMExports()
    try {
      const {result} = await deploy(dir, {
        async prompt() {
          // Asked before the build: a template broken now must not be what gets built.
          writeFileSync(path, 'Resources: [\n')
          return SECRET
        },
      })
      deployed(result)
    } finally {
      fs.readFileSync = original
      syncBuiltinESMExports()
    }

    assert.equal(reads, 1)
    const template = JSON.parse(changeSetInputs(fake, 'chat-v1')[0].TemplateBody!) as {
      Resources: Record<string, {Type: string}>
    }
    assert.equal(template.Resources.ConnectAuthorizer.Type, 'AWS::ApiGatewayV2::Authorizer')
  })
  it('--parameter DomainName and CertificateArn put a project made without a domain on it: WebSocketUrl is wss://<domain>; a bad domain is exit 2', async () => {
    const dir = scaffoldProject()
    const certificate = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789'
    const done = deployed(
      (await deploy(dir, {parameters: {CertificateArn: certificate, DomainName: 'chat.example.com'}})).result,
    )
    assert.equal(done.outputs.WebSocketUrl, 'wss://chat.example.com')
    assert.match(
      done.outputs.ManagementEndpoint,
      /^https:\/\/[0-9a-f]{10}\.execute-api\.eu-west-1\.amazonaws\.com\/v1$/,
    )
    await assert.rejects(
      deploy(dir, {parameters: {CertificateArn: certificate, DomainName: 'Chat_Example'}}),
      (error: WsapiError) => {
        assert.equal(error.exit, 2)
        assert.match(error.message, /^Invalid --parameter DomainName: /)
        return true
      },
    )
  })

  describe('a stack of the same name that wsapi did not deploy for this project and stage', () => {
    const ORDERS = {Resources: {OrdersTable: {Properties: {}, Type: 'AWS::DynamoDB::Table'}}}

    it('is refused before anything is built or changed, with one line saying how to proceed (exit 1)', async () => {
      const dir = scaffoldProject()
      fake.aws.sim.seedStack('chat-v1', 'CREATE_COMPLETE', {template: ORDERS})
      const puts = fake.s3.puts.length
      await assert.rejects(deploy(dir), (error: WsapiError) => {
        assert.equal(error.exit, 1)
        assert.equal(
          error.message,
          "Stack chat-v1 was not deployed by wsapi for project chat, stage v1 (it has no wsapi:project / wsapi:stage tags): nothing was changed. Deploy to another stage (--stage), or pass --adopt if it is this project's stack and template.yaml may replace what it holds.",
        )
        return true
      })
      assert.equal(changeSetInputs(fake, 'chat-v1').length, 0)
      assert.equal(fake.s3.puts.length, puts)
      assert.deepEqual(
        fake.aws.sim.stack('chat-v1')!.resources.map((resource) => resource.logicalId),
        ['OrdersTable'],
      )
    })

    it('is refused when tagged for another project or stage', async () => {
      const dir = scaffoldProject()
      fake.aws.sim.seedStack('chat-v1', 'UPDATE_COMPLETE', {
        tags: {'wsapi:project': 'chat-v1', 'wsapi:stage': ''},
        template: ORDERS,
      })
      await assert.rejects(deploy(dir), /\(it is tagged wsapi:project="chat-v1" wsapi:stage=""\): nothing was changed/)
      assert.equal(changeSetInputs(fake, 'chat-v1').length, 0)
    })

    it('--adopt takes it over: the update adds the tags, and later deploys need no --adopt', async () => {
      const dir = scaffoldProject()
      fake.aws.sim.seedStack('chat-v1', 'CREATE_COMPLETE', {template: ORDERS})
      const {output, result} = await deploy(dir, {adopt: true})
      assert.equal(deployed(result).operation, 'UPDATE')
      assert.match(output.text('warn'), /^Adopting chat-v1: this deploy tags it as project chat, stage v1\.$/m)
      assert.deepEqual(fake.aws.sim.stack('chat-v1')!.tags, [
        {Key: 'wsapi:project', Value: 'chat'},
        {Key: 'wsapi:stage', Value: 'v1'},
      ])
      assert.equal(deployed((await deploy(dir)).result).noOp, true)
    })
  })
})
