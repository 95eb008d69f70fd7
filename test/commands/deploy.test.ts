import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {type FakeAws, startFakeAws} from '../helpers/fake-aws-server.js'
import {SimError} from '../helpers/fake-cloudformation.js'
import {scaffoldProject} from '../helpers/project.js'

const SECRET = 'Tr0ub4dor-and-3-more-words'

/**
 * The built CLI against AWS as the SDK sees it over HTTP: CloudFormation and STS from a local fake
 * (AWS query protocol), S3 from s3rver, credentials from the environment, reached through the SDK's own
 * AWS_ENDPOINT_URL_<SERVICE> variables. Exit codes, stdout/stderr and --json as a user or a script sees them.
 */
describe('wsapi deploy / status / destroy (spawned, fake AWS over HTTP)', function () {
  this.timeout(120_000)
  let fake: FakeAws

  beforeEach(async () => {
    fake = await startFakeAws()
  })

  afterEach(() => fake.stop())

  const wsapi = (args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}) =>
    runCli(args, {cwd, env: {...fake.env, ...extra}})

  it('deploys (no terminal: no question), then a second deploy is a no-op that uploads nothing; --json for scripts', async () => {
    const dir = scaffoldProject()
    const first = await wsapi(['deploy'], dir)
    assert.equal(first.code, 0, first.stderr)
    assert.equal(first.stderr, '')
    const out = first.stdout
    assert.match(out, /^Deploying chat-v1 to account 123456789012 in eu-west-1 at http:\/\/127\.0\.0\.1:\d+$/m)
    assert.match(
      out,
      /^Creating wsapi's artifact bucket for this account and region \(stack wsapi-bootstrap, once\)…$/m,
    )
    assert.match(out, /^Artifacts: uploaded 5 \(\d+ bytes\) to s3:\/\/wsapi-bootstrap-artifactbucket-[0-9a-f]{12}$/m)
    assert.match(out, /^Change set wsapi-[-0-9TZ]+: 35 to add$/m)
    assert.match(out, /^ {2}Action +Logical ID +Type +Replacement$/m)
    assert.match(out, /^ {2}Add +ConnectFunction +AWS::Lambda::Function$/m)
    assert.match(out, /^Creating chat-v1 \(35 resources\)$/m)
    assert.match(out, /^ +\d:\d\d {2}\[35\/35\] CREATE_COMPLETE +chat-v1 +AWS::CloudFormation::Stack$/m)
    assert.match(out, /^ {2}35\/35 resources in \d:\d\d$/m)
    assert.match(out, /^✔ Created chat-v1 in \d:\d\d \(CREATE_COMPLETE\)\.$/m)
    assert.match(
      out,
      /^Outputs:\n {2}WebSocketUrl +wss:\/\/[0-9a-f]{10}\.execute-api\.eu-west-1\.amazonaws\.com\/v1\n {2}ManagementEndpoint +https:\/\//m,
    )
    assert.match(out, /^Outputs saved to \.wsapi\/outputs\/v1\.json; `wsapi connect` uses them\.$/m)
    const saved = JSON.parse(readFileSync(join(dir, '.wsapi/outputs/v1.json'), 'utf8'))
    assert.match(saved.outputs.WebSocketUrl, /^wss:\/\//)

    const puts = fake.s3.puts.length
    const second = await wsapi(['deploy', '--json'], dir)
    assert.equal(second.code, 0, second.stderr)
    const json = JSON.parse(second.stdout)
    assert.equal(json.type, 'deployed')
    assert.equal(json.noOp, true)
    assert.equal(json.operation, 'NONE')
    assert.equal(json.stackName, 'chat-v1')
    assert.deepEqual(json.artifacts.uploaded, [])
    assert.equal(json.outputs.WebSocketUrl, saved.outputs.WebSocketUrl)
    assert.equal(Object.keys(json.outputs)[0], 'WebSocketUrl')
    // Progress goes to stderr with --json, so stdout stays parseable.
    assert.match(second.stderr, /Artifacts: all 5 already in s3:\/\//)
    assert.match(second.stderr, /✔ No changes: chat-v1 is up to date \(CREATE_COMPLETE\)\./)
    assert.equal(fake.s3.puts.length, puts, 'nothing uploaded')
    assert.equal(fake.sim.callsOf('ExecuteChangeSet').length, 2, 'nothing executed the second time')

    const status = await wsapi(['status', '--json'], dir)
    assert.equal(status.code, 0, status.stderr)
    const state = JSON.parse(status.stdout)
    assert.equal(state.deployed, true)
    assert.equal(state.status, 'CREATE_COMPLETE')
    assert.equal(state.resources.total, 35)
    assert.equal(state.outputs.WebSocketUrl, saved.outputs.WebSocketUrl)
    const plain = await wsapi(['status'], dir)
    assert.match(plain.stdout, /^Status +CREATE_COMPLETE$/m)
    assert.match(plain.stdout, /^Resources +35: 35 CREATE_COMPLETE$/m)
    assert.match(plain.stdout, /^ +5 {2}AWS::Lambda::Function$/m)
  })

  it('a handler with a type error stops deploy before any AWS call; --no-typecheck ships it anyway', async () => {
    const dir = scaffoldProject()
    const handler = join(dir, 'src/handlers/connect.ts')
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const n: number = 'str'\n`)
    const refused = await wsapi(['deploy'], dir)
    assert.equal(refused.code, 1)
    assert.match(
      refused.stderr,
      /^Error: 1 type error in the handlers .*--no-typecheck.*\nsrc\/handlers\/connect\.ts:\d+:\d+: error: Type 'string' is not assignable to type 'number'\. \(TS2322\)\n$/,
    )
    assert.deepEqual(fake.sim.calls, [], 'no AWS call')
    const shipped = await wsapi(['deploy', '--no-typecheck'], dir)
    assert.equal(shipped.code, 0, shipped.stderr)
  })

  it('a failed deploy prints the root cause, waits for the rollback and exits 1', async () => {
    const dir = scaffoldProject()
    assert.equal((await wsapi(['deploy', '--yes'], dir)).code, 0)
    const handler = join(dir, 'src/handlers/connect.ts')
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const v = 2\n`)
    const reason = 'Resource handler returned message: "The role defined for the function cannot be assumed by Lambda."'
    fake.sim.failOnApply.set('ConnectFunction', reason)
    const failed = await wsapi(['deploy', '--yes'], dir)
    assert.equal(failed.code, 1)
    assert.match(
      failed.stdout,
      /UPDATE_FAILED +ConnectFunction +AWS::Lambda::Function {2}Resource handler returned message/,
    )
    assert.match(failed.stdout, /UPDATE_ROLLBACK_COMPLETE +chat-v1/)
    assert.match(
      failed.stdout,
      /^ {2}UPDATE_FAILED {2}ConnectFunction \(AWS::Lambda::Function\)\n {4}Resource handler returned message: "The role defined for the function cannot be assumed by Lambda\."$/m,
    )
    assert.match(
      failed.stderr,
      /✖ Updating chat-v1 failed; CloudFormation rolled it back \(UPDATE_ROLLBACK_COMPLETE\)\. Root cause:/,
    )
    assert.equal(
      failed.stderr.trim().split('\n').at(-1),
      `Error: Deploy of chat-v1 failed (UPDATE_ROLLBACK_COMPLETE): ConnectFunction: ${reason}. Fix it and deploy again.`,
    )

    const json = await wsapi(['deploy', '--yes', '--json'], dir)
    assert.equal(json.code, 1)
    const error = JSON.parse(json.stdout).error
    assert.equal(error.code, 'DEPLOY_FAILED')
    assert.equal(error.exit, 1)
  })

  it('--no-execute leaves the change set for review and says how to run it; destroy removes the REVIEW_IN_PROGRESS stack', async () => {
    const dir = scaffoldProject()
    const review = await wsapi(['deploy', '--no-execute'], dir)
    assert.equal(review.code, 0, review.stderr)
    assert.match(review.stdout, /✔ Change set wsapi-\S+ is ready for review and was not executed\./)
    assert.match(
      review.stdout,
      /^Execute it with:\n {2}aws cloudformation execute-change-set --change-set-name arn:aws:cloudformation:eu-west-1:123456789012:changeSet\/wsapi-\S+ --region eu-west-1 --endpoint-url http:\/\/127\.0\.0\.1:\d+$/m,
    )
    assert.equal(fake.sim.stack('chat-v1')!.status, 'REVIEW_IN_PROGRESS')

    const status = JSON.parse((await wsapi(['status', '--json'], dir)).stdout)
    assert.equal(status.status, 'REVIEW_IN_PROGRESS')

    const refused = await wsapi(['destroy'], dir)
    assert.equal(refused.code, 2)
    assert.equal(
      refused.stderr,
      'Error: wsapi destroy deletes chat-v1 and its data: pass --yes to confirm (there is no terminal to ask in).\n',
    )
    const destroyed = await wsapi(['destroy', '--yes', '--json'], dir)
    assert.equal(destroyed.code, 0, destroyed.stderr)
    assert.equal(JSON.parse(destroyed.stdout).type, 'destroyed')
    assert.equal(fake.sim.stack('chat-v1'), undefined)
  })

  it('destroy deletes the stack and its artifacts; again, there is nothing to destroy', async () => {
    const dir = scaffoldProject()
    const deploy = await wsapi(['deploy', '--yes', '--json'], dir)
    const {artifacts} = JSON.parse(deploy.stdout)
    const destroyed = await wsapi(['destroy', '--yes'], dir)
    assert.equal(destroyed.code, 0, destroyed.stderr)
    assert.match(destroyed.stdout, /^Deleting chat-v1 \(35 resources\)$/m)
    assert.match(destroyed.stdout, /DELETE_COMPLETE +chat-v1 +AWS::CloudFormation::Stack/)
    assert.match(destroyed.stdout, /^✔ Deleted chat-v1 in \d:\d\d\. Removed 5 artifacts\.$/m)
    for (const artifact of artifacts.uploaded)
      assert.equal(await fake.s3.objectExists(artifacts.bucket, artifact.key), false)
    assert.equal(existsSync(join(dir, '.wsapi/outputs/v1.json')), false)

    const again = await wsapi(['destroy'], dir)
    assert.equal(again.code, 0, again.stderr)
    assert.equal(again.stdout, '✔ Nothing to destroy: chat-v1 does not exist in eu-west-1.\n')
    const status = await wsapi(['status'], dir)
    assert.equal(status.stdout, 'chat-v1 is not deployed in eu-west-1: run `wsapi deploy` to create it.\n')
  })

  it("deploy and destroy refuse a stack of the project's name that wsapi did not make for it (exit 1, one line); --adopt proceeds", async () => {
    const dir = scaffoldProject()
    fake.sim.seedStack('chat-v1', 'CREATE_COMPLETE', {
      template: {Resources: {OrdersTable: {Properties: {}, Type: 'AWS::DynamoDB::Table'}}},
    })
    const destroy = await wsapi(['destroy', '--yes'], dir)
    assert.equal(destroy.code, 1)
    assert.match(
      destroy.stderr,
      /^Error: Stack chat-v1 was not deployed by wsapi for project chat, stage v1 \(it has no wsapi:project \/ wsapi:stage tags\): nothing was deleted\. Pass another --stage, or --adopt .*\n$/,
    )
    const deploy = await wsapi(['deploy', '--yes'], dir)
    assert.equal(deploy.code, 1)
    assert.match(
      deploy.stderr,
      /^Error: Stack chat-v1 was not deployed by wsapi .*: nothing was changed\. Deploy to another stage \(--stage\), or pass --adopt .*\n$/,
    )
    assert.deepEqual(
      fake.sim.stack('chat-v1')!.resources.map((resource) => resource.logicalId),
      ['OrdersTable'],
    )
    assert.equal(fake.sim.callsOf('DeleteStack').length + fake.sim.callsOf('CreateChangeSet').length, 0)

    const adopted = await wsapi(['destroy', '--yes', '--adopt'], dir)
    assert.equal(adopted.code, 0, adopted.stderr)
    assert.equal(fake.sim.stack('chat-v1'), undefined)
  })

  it('DELETE_FAILED: lists each resource, its reason and the fix, and exits 1', async () => {
    const dir = scaffoldProject()
    assert.equal((await wsapi(['deploy', '--yes'], dir)).code, 0)
    fake.sim.failOnDelete.set(
      'ConnectionsTable',
      'Resource handler returned message: "Table is in use by an active replica" (HandlerErrorCode: ResourceConflict)',
    )
    const failed = await wsapi(['destroy', '--yes'], dir)
    assert.equal(failed.code, 1)
    assert.match(
      failed.stdout,
      /^ {2}DELETE_FAILED {2}ConnectionsTable \(AWS::DynamoDB::Table chat-v1-ConnectionsTable-[0-9a-f]+\)\n {4}Resource handler returned message: "Table is in use by an active replica" \(HandlerErrorCode: ResourceConflict\)\n {4}fix: something outside the stack still uses it: remove that first, then run wsapi destroy again$/m,
    )
    assert.match(
      failed.stderr,
      /^Error: Destroy of chat-v1 failed \(DELETE_FAILED\) on ConnectionsTable: fix them as listed above, then run destroy again\.$/m,
    )
    const retained = await wsapi(['destroy', '--yes', '--retain', 'ConnectionsTable'], dir)
    assert.equal(retained.code, 0, retained.stderr)
    assert.match(retained.stdout, /Kept ConnectionsTable \(no longer managed by CloudFormation\)\./)
  })

  it('the secret is given on stdin, in the environment or as a flag, one way only, and never printed or logged, even with --verbose and when AWS echoes it', async () => {
    const dir = scaffoldProject({auth: 'token'})
    const template = join(dir, 'template.yaml')
    writeFileSync(template, readFileSync(template, 'utf8').replace("    Default: ''\n", ''))
    const missing = await wsapi(['deploy', '--yes'], dir)
    assert.equal(missing.code, 2)
    assert.match(
      missing.stderr,
      /^Error: Parameter AuthTokenSecret has no value .*: set WSAPI_PARAMETER_AuthTokenSecret or pipe it to --parameter-stdin AuthTokenSecret .*, or run in a terminal to be asked\.\n$/,
    )

    const ok = await runCli(['deploy', '--yes', '--verbose', '--parameter-stdin', 'AuthTokenSecret'], {
      cwd: dir,
      env: fake.env,
      input: `${SECRET}\n`,
    })
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(fake.sim.stack('chat-v1')!.parameters.AuthTokenSecret, SECRET)
    fake.sim.inject(
      'CreateChangeSet',
      () => new SimError('ValidationError', `Parameter 'AuthTokenSecret' value '${SECRET}-2' failed its constraints`),
    )
    const echoed = await wsapi(['deploy', '--yes', '--verbose'], dir, {WSAPI_PARAMETER_AuthTokenSecret: `${SECRET}-2`})
    assert.equal(echoed.code, 1)
    assert.match(
      echoed.stderr,
      /Error: CloudFormation CreateChangeSet was refused: Parameter 'AuthTokenSecret' value '\*\*\*\*' failed its constraints/,
    )
    const json = await wsapi(['deploy', '--yes', '--json', '--parameter', `AuthTokenSecret=${SECRET}`], dir)
    assert.equal(json.code, 0, json.stderr)
    const twice = await wsapi(['deploy', '--yes', '--parameter', `AuthTokenSecret=${SECRET}`], dir, {
      WSAPI_PARAMETER_AuthTokenSecret: SECRET,
    })
    assert.equal(twice.code, 2)
    assert.equal(
      twice.stderr,
      'Error: AuthTokenSecret is given by --parameter and by WSAPI_PARAMETER_AuthTokenSecret: give it one way only.\n',
    )
    for (const run of [ok, echoed, json, twice]) {
      assert.ok(!run.stdout.includes(SECRET) && !run.stderr.includes(SECRET), `${run.stdout}\n${run.stderr}`)
    }

    const files = (folder: string): string[] =>
      readdirSync(folder, {withFileTypes: true}).flatMap((entry) =>
        entry.isDirectory() ? files(join(folder, entry.name)) : [join(folder, entry.name)],
      )
    for (const file of files(join(dir, '.wsapi'))) assert.ok(!readFileSync(file).includes(SECRET), file)
    // The update kept the secret without it being given again.
    const update = await wsapi(['deploy', '--yes', '--stage', 'v1'], dir)
    assert.equal(update.code, 0, update.stderr)
  })

  it('errors are one line with the documented exit code: credentials, throttling, access, usage', async () => {
    const dir = scaffoldProject()
    fake.sim.inject(
      'GetCallerIdentity',
      () => new SimError('ExpiredToken', 'The security token included in the request is expired', 403),
    )
    const expired = await wsapi(['deploy', '--yes'], dir)
    assert.equal(expired.code, 1)
    assert.equal(
      expired.stderr,
      'Error: Your AWS credentials have expired (ExpiredToken): refresh them (`aws sso login`, or new temporary keys), then re-run.\n',
    )

    fake.sim.inject(
      'GetCallerIdentity',
      () => new SimError('ExpiredToken', 'The security token included in the request is expired', 403),
    )
    const expiredJson = await wsapi(['deploy', '--yes', '--json'], dir)
    assert.deepEqual(JSON.parse(expiredJson.stdout), {
      error: {
        code: 'EXPIRED_CREDENTIALS',
        exit: 1,
        message:
          'Your AWS credentials have expired (ExpiredToken): refresh them (`aws sso login`, or new temporary keys), then re-run.',
      },
    })

    const none = await wsapi(['status'], dir, {AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: ''})
    assert.equal(none.code, 1)
    assert.equal(
      none.stderr,
      'Error: No AWS credentials found: run `aws configure` or `aws sso login`, pass --profile (or set AWS_PROFILE), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.\n',
    )

    // Throttling is retried by the SDK with backoff: two throttled answers, then it goes through.
    fake.sim.inject('DescribeStacks', () => new SimError('Throttling', 'Rate exceeded'), 2)
    const throttled = await wsapi(['status'], dir)
    assert.equal(throttled.code, 0, throttled.stderr)
    assert.equal(fake.sim.callsOf('DescribeStacks').length, 3)
    // … and when it does not stop, one line says so.
    fake.sim.inject('DescribeStacks', () => new SimError('Throttling', 'Rate exceeded'), 2)
    const gaveUp = await wsapi(['status'], dir, {AWS_MAX_ATTEMPTS: '2'})
    assert.equal(gaveUp.code, 1)
    assert.equal(
      gaveUp.stderr,
      'Error: AWS kept throttling CloudFormation DescribeStacks after several retries with backoff: wait a minute, then re-run (a re-run picks up where this one stopped).\n',
    )

    fake.sim.inject(
      'DescribeStacks',
      () =>
        new SimError(
          'AccessDenied',
          'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks',
          403,
        ),
    )
    const denied = await wsapi(['status'], dir)
    assert.equal(denied.code, 1)
    assert.equal(
      denied.stderr,
      'Error: Access denied to CloudFormation DescribeStacks: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks. Ask for that permission, or use another profile (--profile / AWS_PROFILE).\n',
    )

    for (const [args, message] of [
      [
        ['deploy', '--region', 'moon'],
        'Error: Invalid region "moon": give a region code such as eu-west-1 or us-east-1.\n',
      ],
      [
        ['deploy', '--parameter', 'Nope=1'],
        'Error: Unknown --parameter Nope: template.yaml declares DomainName, CertificateArn, HostedZoneId.\n',
      ],
      [
        ['deploy', '--stage', 'a_b'],
        'Error: The stack name "chat-a_b" (<project>-<stage>) is not valid for CloudFormation (letters, digits and "-", at most 128 characters): use --stage a-b.\n',
      ],
      [
        ['destroy', '--endpoint-url', 'localhost'],
        'Error: Invalid --endpoint-url "localhost": give an http(s) URL such as http://localhost:4566.\n',
      ],
    ] as const) {
      const usage = await wsapi([...args], dir)
      assert.equal(usage.code, 2, args.join(' '))
      assert.equal(usage.stderr, message)
    }

    assert.equal(fake.sim.callsOf('CreateChangeSet').length, 0, 'none of that changed anything')
  })

  it('--stage deploys the same project as another stack; --endpoint-url sends every call there', async () => {
    const dir = scaffoldProject()
    // One endpoint for every service, as LocalStack is: S3 goes there too (and on to s3rver).
    const prod = await wsapi(['deploy', '--stage', 'prod', '--yes', '--json', '--endpoint-url', fake.server.url], dir, {
      AWS_ENDPOINT_URL_CLOUDFORMATION: '',
      AWS_ENDPOINT_URL_S3: '',
      AWS_ENDPOINT_URL_STS: '',
    })
    assert.equal(prod.code, 0, prod.stderr)
    const json = JSON.parse(prod.stdout)
    assert.equal(json.stackName, 'chat-prod')
    assert.match(json.outputs.WebSocketUrl, /\/prod$/)
    assert.ok(existsSync(join(dir, '.wsapi/outputs/prod.json')))
    assert.equal(fake.sim.stack('chat-v1'), undefined)
  })
})
