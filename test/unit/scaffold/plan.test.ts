import assert from 'node:assert/strict'

import {type CfnResource, type CfnTemplate, deploymentLogicalId, parseTemplate} from '../../../src/lib/project/index.js'
import {UsageError} from '../../../src/lib/errors.js'
import {planProject, type RawInitOptions, resolveInitOptions} from '../../../src/lib/scaffold/index.js'
import {validateAgainstSpec} from '../../helpers/cfn-spec.js'

function plan(options: RawInitOptions = {}) {
  return planProject(resolveInitOptions({name: 'chat', ...options}))
}

function templateOf(options: RawInitOptions = {}): CfnTemplate {
  return parseTemplate(plan(options).files.find((file) => file.path === 'template.yaml')!.contents, 'template.yaml')
}

function ofType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type)
}

/** Action → Resource of every statement in a role's inline policies. */
function grants(role: CfnResource): Array<[string, unknown]> {
  const policies = role.Properties!.Policies as Array<{
    PolicyDocument: {Statement: Array<{Action: string | string[]; Effect: string; Resource: unknown}>}
  }>
  return policies.flatMap((policy) =>
    policy.PolicyDocument.Statement.flatMap((statement) => {
      assert.equal(statement.Effect, 'Allow')
      return (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).map(
        (action): [string, unknown] => [action, statement.Resource],
      )
    }),
  )
}

const COMBINATIONS: Array<[string, RawInitOptions]> = [
  ['defaults', {}],
  ['token auth', {auth: 'token'}],
  ['jwt auth', {auth: 'jwt'}],
  ['iam auth', {auth: 'iam'}],
  [
    'jwt auth with a Cognito issuer',
    {
      auth: 'jwt',
      jwtAudience: '1example23456789',
      jwtIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
    },
  ],
  ['provisioned capacity', {billing: 'provisioned', readCapacity: 7, writeCapacity: 3}],
  ['several routes', {routes: 'sendmessage,join,chat/leave'}],
  ['no $default', {defaultRoute: false}],
  ['a template expression', {routeSelection: '${request.body.service}/${request.body.action}', routes: 'chat/send'}],
  ['no rate limit and no reserved concurrency', {rateLimit: 'off', reservedConcurrency: 'none'}],
  [
    'everything at once',
    {
      arch: 'x86_64',
      auth: 'token',
      billing: 'provisioned',
      defaultRoute: false,
      idAttribute: 'cid',
      rateBurst: 7,
      rateLimit: '3/s',
      reservedConcurrency: 5,
      routes: 'a,b',
      runtime: 'nodejs24.x',
      tableEnv: 'TABLE',
    },
  ],
  ['inline broadcasts only', {fanoutShards: 1}],
  ['a few shards and a low inline threshold', {fanoutInlineMax: 10, fanoutShards: 4, routes: 'sendmessage,fanout'}],
]

describe('scaffold plan', () => {
  for (const [name, options] of COMBINATIONS) {
    describe(name, () => {
      const template = templateOf(options)

      it('validates against the CloudFormation resource specification', () => {
        assert.deepEqual(validateAgainstSpec(template, {allowLocalCode: true}), [])
      })

      it('is plain CloudFormation with no hard-coded physical names', () => {
        assert.equal(template.Transform, undefined)
        for (const [id, resource] of Object.entries(template.Resources)) {
          for (const property of ['TableName', 'FunctionName', 'RoleName', 'LogGroupName', 'QueueName']) {
            // Permissions and invoke configs name their function, by Ref.
            const value = resource.Properties?.[property]
            if (
              property === 'FunctionName' &&
              ['AWS::Lambda::EventInvokeConfig', 'AWS::Lambda::Permission'].includes(resource.Type)
            )
              assert.equal(typeof value, 'object', `${id}.${property}`)
            else assert.equal(value, undefined, `${id}.${property}`)
          }
        }

        assert.deepEqual(template.Resources.WebSocketApi.Properties!.Name, {Ref: 'AWS::StackName'})
      })

      it('gives each function its own least-privilege role and log group', () => {
        const functions = ofType(template, 'AWS::Lambda::Function')
        const roles = new Set<string>()
        for (const [id, fn] of functions) {
          const stem = id.replace(/Function$/, '')
          const role = (fn.Properties!.Role as {'Fn::GetAtt': string[]})['Fn::GetAtt'][0]
          assert.ok(!roles.has(role), `${role} is shared`)
          roles.add(role)
          assert.deepEqual(fn.Properties!.LoggingConfig, {LogGroup: {Ref: `${stem}LogGroup`}})
          assert.equal(template.Resources[`${stem}LogGroup`].Properties!.RetentionInDays, 14)
          const actual = grants(template.Resources[role])
          assert.deepEqual(
            actual.filter(([action]) => action.startsWith('logs:')),
            [
              ['logs:CreateLogStream', {'Fn::GetAtt': [`${stem}LogGroup`, 'Arn']}],
              ['logs:PutLogEvents', {'Fn::GetAtt': [`${stem}LogGroup`, 'Arn']}],
            ],
          )
          const rest = actual.filter(([action]) => !action.startsWith('logs:'))
          const table = {'Fn::GetAtt': ['ConnectionsTable', 'Arn']}
          const post = {
            'Fn::Sub':
              'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/${StageName}/POST/@connections/*',
          }
          const fanout = options.fanoutShards !== 1
          const expected: Array<[string, unknown]> =
            stem === 'Connect'
              ? [['dynamodb:PutItem', table]]
              : stem === 'Disconnect'
                ? [['dynamodb:DeleteItem', table]]
                : stem === 'Authorizer'
                  ? options.auth === 'token'
                    ? [['secretsmanager:GetSecretValue', {Ref: 'AuthToken'}]]
                    : [] // a jwt authorizer reads public keys over HTTPS, nothing of the account
                  : stem === 'Default'
                    ? []
                    : stem === 'Fanout'
                      ? [
                          ['dynamodb:Scan', table],
                          ['dynamodb:DeleteItem', table],
                          ['execute-api:ManageConnections', post],
                          ['sqs:SendMessage', {'Fn::GetAtt': ['FanoutDeadLetterQueue', 'Arn']}],
                        ]
                      : [
                          ['dynamodb:Scan', table],
                          ['dynamodb:DeleteItem', table],
                          // The rate limit reads and writes the sender's own item.
                          ...(options.rateLimit === 'off'
                            ? []
                            : ([
                                ['dynamodb:GetItem', table],
                                ['dynamodb:UpdateItem', table],
                              ] as Array<[string, unknown]>)),
                          ['execute-api:ManageConnections', post],
                          // A broadcast route may invoke the fan-out function, and nothing else.
                          ...(fanout
                            ? ([['lambda:InvokeFunction', {'Fn::GetAtt': ['FanoutFunction', 'Arn']}]] as Array<
                                [string, unknown]
                              >)
                            : []),
                        ]
          assert.deepEqual(rest, expected, id)
          assert.equal(fn.Properties!.Handler, 'index.handler')
          assert.match(fn.Properties!.Code as string, /^src\/handlers\/[a-z0-9-]+\.ts$/)
        }
      })

      it('scopes each route permission to this API, stage and route', () => {
        for (const [id, route] of ofType(template, 'AWS::ApiGatewayV2::Route')) {
          const stem = id.replace(/Route$/, '')
          const permission = template.Resources[`${stem}Permission`]
          assert.deepEqual(permission.Properties, {
            Action: 'lambda:InvokeFunction',
            FunctionName: {Ref: `${stem}Function`},
            Principal: 'apigateway.amazonaws.com',
            SourceArn: {
              'Fn::Sub': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${WebSocketApi}/\${StageName}/${route.Properties!.RouteKey}`,
            },
          })
          assert.equal(template.Resources[`${stem}Integration`].Properties!.IntegrationType, 'AWS_PROXY')
        }
      })

      it('names the deployment after a hash of the routes and integrations', () => {
        const [[deploymentId, deployment]] = ofType(template, 'AWS::ApiGatewayV2::Deployment')
        assert.equal(deploymentId, deploymentLogicalId(template))
        const routes = ofType(template, 'AWS::ApiGatewayV2::Route').map(([id]) => id)
        for (const route of routes)
          assert.ok((deployment.DependsOn as string[]).includes(route), `deployment waits for ${route}`)
        assert.deepEqual(template.Resources.Stage.Properties!.DeploymentId, {Ref: deploymentId})
        // A burst (the token bucket's size) below the rate could never let a second's traffic in at once.
        const throttling = template.Resources.Stage.Properties!.DefaultRouteSettings as {
          ThrottlingBurstLimit: number
          ThrottlingRateLimit: number
        }
        assert.deepEqual(throttling, {ThrottlingBurstLimit: 2000, ThrottlingRateLimit: 1000})
        assert.ok(
          throttling.ThrottlingBurstLimit >= throttling.ThrottlingRateLimit && throttling.ThrottlingBurstLimit <= 5000,
        )
      })

      it('has an encrypted table with TTL on expiresAt and the outputs', () => {
        const table = template.Resources.ConnectionsTable.Properties!
        assert.deepEqual(table.SSESpecification, {SSEEnabled: true})
        assert.deepEqual(table.TimeToLiveSpecification, {AttributeName: 'expiresAt', Enabled: true})
        assert.deepEqual(Object.keys(template.Outputs!), [
          'WebSocketUrl',
          'ManagementEndpoint',
          'ApiId',
          'StageName',
          'ConnectionsTable',
          ...(options.fanoutShards === 1 ? [] : ['DeadLetterQueue']),
          ...(options.auth === 'iam' ? ['ConnectRouteArn'] : []),
          ...(options.auth === 'token' ? ['AuthTokenSecretArn'] : []),
        ])
        // The execute-api URL unless a custom domain is set (test/unit/scaffold/custom-domain.test.ts).
        assert.deepEqual((template.Outputs!.WebSocketUrl.Value as {'Fn::If': unknown[]})['Fn::If'][2], {
          'Fn::Sub': 'wss://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}',
        })
        assert.deepEqual(template.Outputs!.ManagementEndpoint.Value, {
          'Fn::Sub': 'https://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}',
        })
      })

      it('has a file for every Code path and loads as a project', () => {
        const files = new Set(plan(options).files.map((file) => file.path))
        for (const [, fn] of ofType(template, 'AWS::Lambda::Function'))
          assert.ok(files.has(fn.Properties!.Code as string))
        assert.ok(files.has('src/runtime/index.ts'))
        assert.ok(
          files.has('.gitignore') && files.has('package.json') && files.has('tsconfig.json') && files.has('README.md'),
        )
      })
    })
  }

  it('uses on-demand billing by default and the given capacity when provisioned', () => {
    assert.equal(templateOf().Resources.ConnectionsTable.Properties!.BillingMode, 'PAY_PER_REQUEST')
    assert.equal(templateOf().Resources.ConnectionsTable.Properties!.ProvisionedThroughput, undefined)
    const provisioned = templateOf({billing: 'provisioned', readCapacity: 7, writeCapacity: 3}).Resources
      .ConnectionsTable.Properties!
    assert.equal(provisioned.BillingMode, 'PROVISIONED')
    assert.deepEqual(provisioned.ProvisionedThroughput, {ReadCapacityUnits: 7, WriteCapacityUnits: 3})
  })

  it('adds a REQUEST authorizer on $connect and a NoEcho secret for token auth', () => {
    const template = templateOf({auth: 'token'})
    assert.deepEqual(template.Parameters!.AuthTokenSecret.NoEcho, true)
    const authorizer = template.Resources.ConnectAuthorizer.Properties!
    assert.equal(authorizer.AuthorizerType, 'REQUEST')
    assert.deepEqual(authorizer.IdentitySource, ['route.request.querystring.token'])
    assert.equal(template.Resources.ConnectRoute.Properties!.AuthorizationType, 'CUSTOM')
    assert.deepEqual(template.Resources.ConnectRoute.Properties!.AuthorizerId, {Ref: 'ConnectAuthorizer'})
    assert.deepEqual(template.Resources.AuthorizerPermission.Properties!.SourceArn, {
      'Fn::Sub':
        'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/authorizers/${ConnectAuthorizer}',
    })
    assert.equal(templateOf().Parameters!.AuthTokenSecret, undefined)
  })

  it('keeps the token in Secrets Manager: generated unless given, read by the authorizer only, its value never in an environment', () => {
    const template = templateOf({auth: 'token'})
    const parameter = template.Parameters!.AuthTokenSecret
    assert.equal(parameter.Default, '')
    assert.deepEqual(template.Conditions?.GenerateAuthToken, {'Fn::Equals': [{Ref: 'AuthTokenSecret'}, '']})
    const secret = template.Resources.AuthToken
    assert.equal(secret.Type, 'AWS::SecretsManager::Secret')
    assert.deepEqual(secret.Properties!.GenerateSecretString, {
      'Fn::If': ['GenerateAuthToken', {ExcludePunctuation: true, PasswordLength: 40}, {Ref: 'AWS::NoValue'}],
    })
    assert.deepEqual(secret.Properties!.SecretString, {
      'Fn::If': ['GenerateAuthToken', {Ref: 'AWS::NoValue'}, {Ref: 'AuthTokenSecret'}],
    })
    assert.deepEqual(template.Outputs!.AuthTokenSecretArn.Value, {Ref: 'AuthToken'})

    // The ARN, not the value, in the environment; no function's environment refers to the parameter.
    assert.deepEqual((template.Resources.AuthorizerFunction.Properties!.Environment as {Variables: object}).Variables, {
      AUTH_TOKEN_SECRET_ARN: {Ref: 'AuthToken'},
      NODE_OPTIONS: '--enable-source-maps',
    })
    for (const [id, fn] of ofType(template, 'AWS::Lambda::Function'))
      assert.doesNotMatch(JSON.stringify(fn.Properties!.Environment), /AuthTokenSecret/, id)

    // GetSecretValue on that secret, for the authorizer's role only.
    for (const [id, role] of ofType(template, 'AWS::IAM::Role')) {
      const reads = grants(role).filter(([action]) => action.startsWith('secretsmanager:'))
      assert.deepEqual(
        reads,
        id === 'AuthorizerRole' ? [['secretsmanager:GetSecretValue', {Ref: 'AuthToken'}]] : [],
        id,
      )
    }

    const packageJson = JSON.parse(plan({auth: 'token'}).files.find((file) => file.path === 'package.json')!.contents)
    assert.ok(packageJson.devDependencies['@aws-sdk/client-secrets-manager'])
    assert.equal(
      JSON.parse(plan().files.find((file) => file.path === 'package.json')!.contents).devDependencies[
        '@aws-sdk/client-secrets-manager'
      ],
      undefined,
    )
  })

  it('adds a REQUEST authorizer verifying JWTs for jwt auth, issuer local unless told', () => {
    const template = templateOf({auth: 'jwt'})
    assert.deepEqual(template.Parameters!.JwtIssuer.Default, 'local')
    assert.deepEqual(template.Parameters!.JwtAudience.Default, 'chat')
    assert.equal(template.Parameters!.AuthTokenSecret, undefined)
    assert.deepEqual(template.Metadata!.wsapi, {
      auth: {audienceParameter: 'JwtAudience', issuerParameter: 'JwtIssuer', tokenProtocol: 'bearer', type: 'jwt'},
      connectionIdAttribute: 'connectionId',
      project: 'chat',
    })
    const authorizer = template.Resources.ConnectAuthorizer.Properties!
    assert.equal(authorizer.AuthorizerType, 'REQUEST')
    // The token may come in a header or the query string: an identity source would demand one of them.
    assert.equal(authorizer.IdentitySource, undefined)
    assert.equal(template.Resources.ConnectRoute.Properties!.AuthorizationType, 'CUSTOM')
    assert.deepEqual((template.Resources.AuthorizerFunction.Properties!.Environment as {Variables: object}).Variables, {
      JWT_AUDIENCE: {Ref: 'JwtAudience'},
      JWT_ISSUER: {Ref: 'JwtIssuer'},
      NODE_OPTIONS: '--enable-source-maps',
    })
    const files = plan({auth: 'jwt'}).files
    assert.ok(
      files.some(
        (file) => file.path === 'src/handlers/authorizer.ts' && file.contents.includes("from 'aws-jwt-verify'"),
      ),
    )
    assert.ok(files.some((file) => file.path === 'test/authorizer.test.ts'))
    assert.ok(files.some((file) => file.path === 'src/token-protocol.ts'))
    assert.match(
      files.find((file) => file.path === 'package.json')!.contents,
      /"dependencies": \{\s*"aws-jwt-verify": "\^5/,
    )
    assert.ok(!plan({auth: 'token'}).files.some((file) => file.path === 'src/token-protocol.ts'))
    assert.match(
      files.find((file) => file.path === 'README.md')!.contents,
      /WSAPI_TOKEN="\$\(wsapi token --sub alice\)" wsapi connect/,
    )
    assert.deepEqual(
      templateOf({auth: 'jwt', jwtIssuer: 'https://issuer.example.com/'}).Parameters!.JwtIssuer.Default,
      'https://issuer.example.com',
    )
  })

  it('puts AWS_IAM on $connect alone for iam auth, with no authorizer function', () => {
    const template = templateOf({auth: 'iam'})
    assert.equal(template.Resources.ConnectRoute.Properties!.AuthorizationType, 'AWS_IAM')
    assert.equal(template.Resources.ConnectRoute.Properties!.AuthorizerId, undefined)
    assert.equal(template.Resources.SendmessageRoute.Properties!.AuthorizationType, 'NONE')
    assert.equal(template.Resources.ConnectAuthorizer, undefined)
    assert.equal(template.Resources.AuthorizerFunction, undefined)
    assert.deepEqual(template.Parameters!.JwtIssuer, undefined)
    assert.deepEqual(template.Outputs!.ConnectRouteArn.Value, {
      'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/${Stage}/$connect',
    })
    assert.equal(templateOf().Outputs!.ConnectRouteArn, undefined)
  })

  it('refuses a JWT issuer that is not https, and JWT flags without jwt auth', () => {
    assert.throws(
      () => plan({auth: 'jwt', jwtIssuer: 'http://issuer.example.com'}),
      (error: Error) => error instanceof UsageError && /https URL/.test(error.message),
    )
    assert.throws(() => plan({auth: 'jwt', jwtAudience: 'has space'}), UsageError)
    assert.throws(() => plan({auth: 'token', jwtIssuer: 'local'}), /go with --auth jwt/)
  })

  it('makes $default two-way and leaves it out on request', () => {
    const template = templateOf()
    assert.equal(template.Resources.DefaultRoute.Properties!.RouteResponseSelectionExpression, '$default')
    assert.equal(template.Resources.DefaultRouteResponse.Properties!.RouteResponseKey, '$default')
    const without = templateOf({defaultRoute: false})
    assert.equal(without.Resources.DefaultRoute, undefined)
    assert.ok(!plan({defaultRoute: false}).files.some((file) => file.path.includes('default')))
  })

  it('writes the expected files for the defaults', () => {
    assert.deepEqual(
      plan().files.map((file) => file.path),
      [
        '.gitignore',
        '.mocharc.json',
        '.prettierrc.json',
        'README.md',
        'package.json',
        'scripts/wsapi.mjs',
        'src/handlers/connect.ts',
        'src/handlers/default.ts',
        'src/handlers/disconnect.ts',
        'src/handlers/fanout.ts',
        'src/handlers/sendmessage.ts',
        'src/runtime/broadcast.ts',
        'src/runtime/connections.ts',
        'src/runtime/env.ts',
        'src/runtime/fanout.ts',
        'src/runtime/index.ts',
        'src/runtime/limits.ts',
        'src/runtime/management.ts',
        'src/runtime/message.ts',
        'src/runtime/metrics.ts',
        'src/runtime/pacing.ts',
        'src/runtime/rate-limit.ts',
        'src/runtime/types.ts',
        'template.yaml',
        'test/connect.test.ts',
        'test/context.ts',
        'test/default.test.ts',
        'test/disconnect.test.ts',
        'test/events.ts',
        'test/fanout.test.ts',
        'test/sendmessage.test.ts',
        'test/setup.ts',
        'tsconfig.json',
      ],
    )
  })

  it('uses the route field and key in the example payload', () => {
    const send = plan().files.find((file) => file.path === 'src/handlers/sendmessage.ts')!.contents
    assert.ok(
      send.includes(String.raw`export const EXAMPLE = "{\"message\":\"sendmessage\",\"data\":\"hello\"}"`),
      send,
    )
    const nested = plan({routeSelection: '$request.body.action', routes: 'say'}).files.find(
      (file) => file.path === 'src/handlers/say.ts',
    )!.contents
    assert.ok(nested.includes(String.raw`"{\"action\":\"say\",\"data\":\"hello\"}"`))
  })

  it("shows each route's own example in its handler, not the first route's", () => {
    const handler = (options: RawInitOptions, file: string) =>
      plan(options).files.find((candidate) => candidate.path === `src/handlers/${file}.ts`)!.contents
    assert.ok(
      handler({routes: 'sendmessage,join'}, 'join').includes(
        String.raw`export const EXAMPLE = "{\"message\":\"join\",\"data\":\"hello\"}"`,
      ),
    )
    const templated = {routeSelection: '${request.body.service}/${request.body.action}', routes: 'chat/send,chat/join'}
    assert.ok(
      handler(templated, 'chat-join').includes(
        String.raw`export const EXAMPLE = "{\"service\":\"chat\",\"action\":\"join\",\"data\":\"hello\"}"`,
      ),
    )
    // $default points to the first custom route.
    assert.ok(
      handler(templated, 'default').includes(
        String.raw`export const EXAMPLE = "{\"service\":\"chat\",\"action\":\"send\",\"data\":\"hello\"}"`,
      ),
    )
  })

  it('limits the message rate of each connection and reserves concurrency on broadcast functions only', () => {
    const environment = (template: CfnTemplate, id: string) =>
      (template.Resources[id].Properties!.Environment as {Variables: Record<string, unknown>}).Variables
    const defaults = templateOf({routes: 'sendmessage,join'})
    for (const id of ['SendmessageFunction', 'JoinFunction']) {
      assert.equal(defaults.Resources[id].Properties!.ReservedConcurrentExecutions, 100, id)
      assert.equal(environment(defaults, id).RATE_LIMIT, '10/s')
      assert.equal(environment(defaults, id).RATE_LIMIT_BURST, '20')
    }

    for (const id of ['ConnectFunction', 'DisconnectFunction', 'DefaultFunction']) {
      assert.equal(defaults.Resources[id].Properties!.ReservedConcurrentExecutions, undefined, id)
      assert.equal(environment(defaults, id).RATE_LIMIT, undefined, id)
    }

    const custom = templateOf({rateBurst: 4, rateLimit: '30/min', reservedConcurrency: 25})
    assert.equal(custom.Resources.SendmessageFunction.Properties!.ReservedConcurrentExecutions, 25)
    assert.deepEqual(
      [
        environment(custom, 'SendmessageFunction').RATE_LIMIT,
        environment(custom, 'SendmessageFunction').RATE_LIMIT_BURST,
      ],
      ['30/m', '4'],
    )

    const off = plan({rateLimit: 'off', reservedConcurrency: 'none'})
    const offTemplate = parseTemplate(
      off.files.find((file) => file.path === 'template.yaml')!.contents,
      'template.yaml',
    )
    assert.equal(offTemplate.Resources.SendmessageFunction.Properties!.ReservedConcurrentExecutions, undefined)
    assert.deepEqual(Object.keys(environment(offTemplate, 'SendmessageFunction')).sort(), [
      'BROADCAST_CONCURRENCY',
      'CONNECTIONS_TABLE',
      'FANOUT_FUNCTION',
      'FANOUT_INLINE_MAX',
      'FANOUT_POSTS_PER_SECOND',
      'FANOUT_SHARDS',
      'METRICS_NAMESPACE',
      'NODE_OPTIONS',
    ])
    const readme = (files: typeof off.files) => files.find((file) => file.path === 'README.md')!.contents
    assert.match(
      readme(plan().files),
      /## Rate limit\n\nWhat a connection sends to a broadcast route is limited to 10 messages per second, 20 at once \(`RATE_LIMIT: '10\/s'`/,
    )
    assert.match(readme(plan().files), /`ReservedConcurrentExecutions: 100`/)
    assert.doesNotMatch(readme(off.files), /Rate limit|ReservedConcurrentExecutions/)
    // Nothing left over: without a limit the handler and its test never mention one.
    for (const path of ['src/handlers/sendmessage.ts', 'test/sendmessage.test.ts']) {
      assert.doesNotMatch(off.files.find((file) => file.path === path)!.contents, /rate|RATE|GetItem|UpdateItem/, path)
      assert.match(plan().files.find((file) => file.path === path)!.contents, /takeMessageToken|RATE_LIMIT/, path)
    }
  })

  it('shards large broadcasts by default: a fan-out function the routes may invoke, retries bounded, failures kept', () => {
    const template = templateOf({routes: 'sendmessage,join'})
    const fanout = template.Resources.FanoutFunction.Properties!
    assert.equal(fanout.Code, 'src/handlers/fanout.ts')
    assert.equal(fanout.Timeout, 300, "asynchronous: not bound by API Gateway's 29 s")
    assert.equal(fanout.ReservedConcurrentExecutions, 100)
    const variables = (id: string) =>
      (template.Resources[id].Properties!.Environment as {Variables: Record<string, unknown>}).Variables
    assert.deepEqual(variables('FanoutFunction'), {
      BROADCAST_CONCURRENCY: '50',
      CONNECTIONS_TABLE: {Ref: 'ConnectionsTable'},
      METRICS_NAMESPACE: {'Fn::Sub': 'wsapi/${AWS::StackName}'},
      NODE_OPTIONS: '--enable-source-maps',
    })
    for (const id of ['SendmessageFunction', 'JoinFunction']) {
      const {FANOUT_FUNCTION, FANOUT_INLINE_MAX, FANOUT_POSTS_PER_SECOND, FANOUT_SHARDS} = variables(id)
      assert.deepEqual(
        [FANOUT_FUNCTION, FANOUT_SHARDS, FANOUT_INLINE_MAX, FANOUT_POSTS_PER_SECOND],
        [{Ref: 'FanoutFunction'}, '16', '250', '9000'],
        id,
      )
    }

    for (const id of ['ConnectFunction', 'DisconnectFunction', 'DefaultFunction'])
      assert.equal(variables(id).FANOUT_FUNCTION, undefined, id)
    // Its own invocation of itself (a hand-off) is granted apart, as the role cannot name the function that names it.
    assert.deepEqual(template.Resources.FanoutInvokeItselfPolicy.Properties, {
      PolicyDocument: {
        Statement: [
          {Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: {'Fn::GetAtt': ['FanoutFunction', 'Arn']}},
        ],
        Version: '2012-10-17',
      },
      PolicyName: 'invoke-itself',
      Roles: [{Ref: 'FanoutRole'}],
    })
    assert.deepEqual(template.Resources.FanoutEventInvokeConfig.Properties, {
      DestinationConfig: {OnFailure: {Destination: {'Fn::GetAtt': ['FanoutDeadLetterQueue', 'Arn']}}},
      FunctionName: {Ref: 'FanoutFunction'},
      MaximumEventAgeInSeconds: 900,
      MaximumRetryAttempts: 2,
      Qualifier: '$LATEST',
    })
    assert.deepEqual(template.Resources.FanoutDeadLetterQueue.Properties, {
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    })
    assert.deepEqual(template.Outputs!.DeadLetterQueue.Value, {Ref: 'FanoutDeadLetterQueue'})
    // No route reaches the fan-out function: only the broadcast routes' own functions invoke it.
    assert.ok(
      !Object.values(template.Resources).some(
        (resource) =>
          resource.Type === 'AWS::Lambda::Permission' && JSON.stringify(resource.Properties).includes('FanoutFunction'),
      ),
    )

    const custom = templateOf({fanoutInlineMax: 10, fanoutShards: 4})
    assert.deepEqual(
      [custom.Resources.SendmessageFunction.Properties!.Environment].map((environment) => {
        const {FANOUT_INLINE_MAX, FANOUT_SHARDS} = (environment as {Variables: Record<string, unknown>}).Variables
        return [FANOUT_SHARDS, FANOUT_INLINE_MAX]
      }),
      [['4', '10']],
    )
  })

  it('has no fan-out function, queue or settings with --fanout-shards 1 (every broadcast inline, as before)', () => {
    const result = plan({fanoutShards: 1})
    const template = parseTemplate(
      result.files.find((file) => file.path === 'template.yaml')!.contents,
      'template.yaml',
    )
    assert.deepEqual(
      Object.keys(template.Resources).filter((id) => /fanout|dead/i.test(id)),
      [],
    )
    assert.ok(!result.files.some((file) => /fanout|context/.test(file.path) && !file.path.startsWith('src/runtime/')))
    for (const path of ['template.yaml', 'src/handlers/sendmessage.ts', 'test/sendmessage.test.ts']) {
      assert.doesNotMatch(result.files.find((file) => file.path === path)!.contents, /fan-?out|FANOUT|shard/i, path)
    }

    const readme = (files: typeof result.files) => files.find((file) => file.path === 'README.md')!.contents
    assert.doesNotMatch(readme(result.files), /## Large broadcasts|FANOUT_/)
    assert.match(
      readme(plan().files),
      /## Large broadcasts: sharded fan-out\n\nA broadcast route first reads one Scan page of at most `FANOUT_INLINE_MAX` \(250\)/,
    )
  })

  it('refuses a stage that deploy would refuse, with the one suggestion deploy gives too', () => {
    // A stage may hold "_" and a name 128 characters, but the stack <project>-<stage> may not.
    assert.throws(
      () => plan({stage: 'dev_1'}),
      /The stack name "chat-dev_1" \(<project>-<stage>\) is not valid for CloudFormation .*: use --stage dev-1\.$/,
    )
    assert.throws(
      () => plan({name: `c${'x'.repeat(126)}`, stage: 'v1'}),
      /is not valid for CloudFormation .*choose a shorter project name or stage\.$/,
    )
    assert.deepEqual(plan({name: `c${'x'.repeat(124)}`, stage: 'v1'}).warnings, [], '128 characters in all is fine')
  })
})
