import type {ProjectSettings} from './settings.js'

/** What a new route's handler starts as. */
export type HandlerStart = 'broadcast' | 'echo' | 'empty'

export interface NewRoute {
  /** src/handlers/<file>.ts and test/<file>.test.ts */
  file: string
  /** Stem of the logical ids: <id>Route, <id>Function, … */
  id: string
  key: string
  start: HandlerStart
  /** API Gateway sends the function's body back to the sender (a RouteResponse). */
  twoWay: boolean
}

/** The logical ids a route adds, in the order they sit in the template. */
export function routeResourceIds(id: string): {function: string[]; route: string[]} {
  return {
    function: [`${id}Function`, `${id}LogGroup`, `${id}Role`],
    route: [`${id}Route`, `${id}RouteResponse`, `${id}Integration`, `${id}Permission`],
  }
}

const quoted = (value: string) => JSON.stringify(value)

/** What the function does with the connections table, for its role and its comment. */
function tableActions(route: NewRoute, settings: ProjectSettings): string[] {
  if (route.start !== 'broadcast') return []
  // The rate limiter reads the sender's bucket and writes it back on the sender's own item (runtime/rate-limit.ts).
  return [
    'dynamodb:Scan',
    'dynamodb:DeleteItem',
    ...(settings.rateLimit ? ['dynamodb:GetItem', 'dynamodb:UpdateItem'] : []),
  ]
}

/** What a broadcast function of a project with rooms does with the memberships table: init's custom routes' actions. */
function membershipActions(route: NewRoute, settings: ProjectSettings): string[] {
  return route.start === 'broadcast' && settings.rooms
    ? ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DeleteItem']
    : []
}

/** Posts to connections through @connections: a broadcast, or an echo on a one-way route (a two-way one returns its reply). */
function managesConnections(route: NewRoute): boolean {
  return route.start === 'broadcast' || (route.start === 'echo' && !route.twoWay)
}

function description(route: NewRoute): string {
  if (route.start === 'broadcast') return `Broadcasts the data of ${route.key} messages to every connection`
  if (route.start === 'echo') return `Sends the data of ${route.key} messages back to the sender`
  return `Handles ${route.key} messages`
}

/**
 * The route's Route, RouteResponse (two-way), Integration and Permission, as YAML under Resources, in the shape
 * and formatting `wsapi init` gives them (templates/project/template.yaml.hbs, then Prettier).
 */
export function routeResourcesYaml(route: NewRoute): string {
  const {id, key} = route
  const lines = [
    `# Route ${key}`,
    `${id}Route:`,
    '  Type: AWS::ApiGatewayV2::Route',
    '  Properties:',
    '    ApiId: !Ref WebSocketApi',
    `    RouteKey: ${quoted(key)}`,
    `    OperationName: ${id}`,
    '    AuthorizationType: NONE',
    ...(route.twoWay ? ['    RouteResponseSelectionExpression: $default'] : []),
    `    Target: !Join ["/", [integrations, !Ref ${id}Integration]]`,
    ...(route.twoWay
      ? [
          '',
          "# Two-way: API Gateway sends the function's body back to the sender.",
          `${id}RouteResponse:`,
          '  Type: AWS::ApiGatewayV2::RouteResponse',
          '  Properties:',
          '    ApiId: !Ref WebSocketApi',
          `    RouteId: !Ref ${id}Route`,
          '    RouteResponseKey: $default',
        ]
      : []),
    '',
    `${id}Integration:`,
    '  Type: AWS::ApiGatewayV2::Integration',
    '  Properties:',
    '    ApiId: !Ref WebSocketApi',
    '    IntegrationType: AWS_PROXY',
    '    IntegrationUri: !Sub',
    '      - "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${FunctionArn}/invocations"',
    `      - FunctionArn: !GetAtt ${id}Function.Arn`,
    '',
    '# API Gateway may invoke the function for this API, stage and route only.',
    `${id}Permission:`,
    '  Type: AWS::Lambda::Permission',
    '  Properties:',
    '    Action: lambda:InvokeFunction',
    `    FunctionName: !Ref ${id}Function`,
    '    Principal: apigateway.amazonaws.com',
    `    SourceArn: !Sub "arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${WebSocketApi}/\${StageName}/${key}"`,
  ]
  return `${lines.join('\n')}\n`
}

function policy(name: string, statement: string[], comment?: string): string[] {
  return [
    ...(comment ? [`  # ${comment}`] : []),
    `  - PolicyName: ${name}`,
    '    PolicyDocument:',
    '      Version: "2012-10-17"',
    '      Statement:',
    '        - Effect: Allow',
    ...statement.map((line) => `          ${line}`),
  ].map((line) => `      ${line}`)
}

/** The route's Function, LogGroup and least-privilege Role, as YAML under Resources, shaped as `wsapi init` shapes them. */
export function functionResourcesYaml(route: NewRoute, settings: ProjectSettings): string {
  const {id} = route
  const actions = tableActions(route, settings)
  const broadcast = route.start === 'broadcast'
  const fanout = broadcast ? settings.fanout : undefined
  const reserved = broadcast ? settings.reservedConcurrency : undefined
  const memberships = membershipActions(route, settings)
  const principalIndex = memberships.length > 0 && settings.rooms?.principalIndex
  const grants = [
    "this function's own log group",
    ...(actions.length > 0 ? [`${actions.join(' and ')} on the connections table`] : []),
    ...(principalIndex ? ['querying its index by principal'] : []),
    ...(memberships.length > 0 ? [`${memberships.join(' and ')} on the memberships table`] : []),
    ...(managesConnections(route) ? ['posting to connections of this stage'] : []),
    ...(fanout ? ['invoking the fan-out function'] : []),
  ]
  const lines = [
    `${id}Function:`,
    '  Type: AWS::Lambda::Function',
    '  Properties:',
    `    Description: ${quoted(description(route))}`,
    `    Code: src/handlers/${route.file}.ts`,
    '    Handler: index.handler',
    `    Runtime: ${settings.runtime}`,
    '    Architectures:',
    `      - ${settings.architecture}`,
    `    MemorySize: ${settings.memorySize}`,
    `    Timeout: ${settings.timeout}`,
    ...(reserved === undefined
      ? []
      : [
          "    # At most this many at once, so that a flood of broadcasts cannot take all of the account's Lambda concurrency.",
          `    ReservedConcurrentExecutions: ${reserved}`,
        ]),
    `    Role: !GetAtt ${id}Role.Arn`,
    '    LoggingConfig:',
    `      LogGroup: !Ref ${id}LogGroup`,
    '    Environment:',
    '      Variables:',
    '        NODE_OPTIONS: --enable-source-maps',
    ...(actions.length > 0 ? [`        ${settings.tableEnv}: !Ref ${settings.table}`] : []),
    ...(memberships.length > 0 ? [`        MEMBERSHIPS_TABLE: !Ref ${settings.rooms!.table}`] : []),
    ...(broadcast ? ['        BROADCAST_CONCURRENCY: "50"'] : []),
    ...(broadcast && settings.rateLimit
      ? [
          "        # Per connection: messages on average (per s or m) and at once; RATE_LIMIT: 'off' turns it off.",
          `        RATE_LIMIT: ${quoted(settings.rateLimit.rate)}`,
          `        RATE_LIMIT_BURST: ${quoted(settings.rateLimit.burst)}`,
        ]
      : []),
    ...(fanout
      ? [
          '        # Audiences of FANOUT_INLINE_MAX or more go to the fan-out function in FANOUT_SHARDS parallel shards,',
          '        # which share a budget of FANOUT_POSTS_PER_SECOND @connections calls (the README says why these values).',
          '        FANOUT_FUNCTION: !Ref FanoutFunction',
          `        FANOUT_SHARDS: ${quoted(fanout.shards)}`,
          `        FANOUT_INLINE_MAX: ${quoted(fanout.inlineMax)}`,
          `        FANOUT_POSTS_PER_SECOND: ${quoted(fanout.postsPerSecond)}`,
          '        METRICS_NAMESPACE: !Sub "wsapi/${AWS::StackName}"',
        ]
      : []),
    '',
    `${id}LogGroup:`,
    '  Type: AWS::Logs::LogGroup',
    '  DeletionPolicy: Delete',
    '  UpdateReplacePolicy: Delete',
    '  Properties:',
    `    RetentionInDays: ${settings.logRetention}`,
    '',
    `# Least privilege: ${grants.join(', ')}.`,
    `${id}Role:`,
    '  Type: AWS::IAM::Role',
    '  Properties:',
    '    AssumeRolePolicyDocument:',
    '      Version: "2012-10-17"',
    '      Statement:',
    '        - Effect: Allow',
    '          Principal:',
    '            Service: lambda.amazonaws.com',
    '          Action: sts:AssumeRole',
    '    Policies:',
    ...policy('logs', [
      'Action:',
      '  - logs:CreateLogStream',
      '  - logs:PutLogEvents',
      `Resource: !GetAtt ${id}LogGroup.Arn`,
    ]),
    ...(actions.length > 0
      ? policy('connections-table', [
          'Action:',
          ...actions.map((action) => `  - ${action}`),
          `Resource: !GetAtt ${settings.table}.Arn`,
        ])
      : []),
    ...(principalIndex
      ? policy(
          'connections-by-principal',
          ['Action: dynamodb:Query', `Resource: !Sub "\${${settings.table}.Arn}/index/byPrincipal"`],
          '"to": "user:<principalId>" finds that user\'s connections in the index by principal.',
        )
      : []),
    ...(memberships.length > 0
      ? policy('memberships-table', [
          'Action:',
          ...memberships.map((action) => `  - ${action}`),
          `Resource: !GetAtt ${settings.rooms!.table}.Arn`,
        ])
      : []),
    ...(managesConnections(route)
      ? policy('post-to-connections', [
          'Action: execute-api:ManageConnections',
          'Resource: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/${StageName}/POST/@connections/*"',
        ])
      : []),
    ...(fanout
      ? policy('invoke-fanout', ['Action: lambda:InvokeFunction', 'Resource: !GetAtt FanoutFunction.Arn'])
      : []),
  ]
  return `${lines.join('\n')}\n`
}
