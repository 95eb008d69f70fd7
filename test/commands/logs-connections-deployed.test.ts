import assert from 'node:assert/strict'
import {stripVTControlCharacters} from 'node:util'

import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import {CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand} from '@aws-sdk/client-cloudformation'
import {CloudWatchLogsClient, FilterLogEventsCommand} from '@aws-sdk/client-cloudwatch-logs'
import {DynamoDBClient, ScanCommand} from '@aws-sdk/client-dynamodb'
import {type AwsClientStub, mockClient} from 'aws-sdk-client-mock'

import Connections from '../../src/commands/connections/index.js'
import ConnectionsPost from '../../src/commands/connections/post.js'
import Logs from '../../src/commands/logs.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {scaffoldProject} from '../helpers/project.js'

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/chat-v1/0c4d6a10-8f2e-11ef-9a3b-0a1b2c3d4e5f'

/** Runs a command in this process (so that the SDK mocks apply), with what it writes to stdout and stderr. */
async function run(
  command: {run(argv: string[], options: {root: string}): Promise<unknown>},
  argv: string[],
): Promise<{exitCode: number; stderr: string; stdout: string}> {
  const stdout: string[] = []
  const stderr: string[] = []
  const writeOut = process.stdout.write.bind(process.stdout)
  const writeErr = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string) => stdout.push(String(chunk)) > 0) as typeof process.stdout.write
  process.stderr.write = ((chunk: string) => stderr.push(String(chunk)) > 0) as typeof process.stderr.write
  const previousExitCode = process.exitCode
  process.exitCode = undefined
  const env = {
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    NO_COLOR: process.env.NO_COLOR,
  }
  Object.assign(process.env, {AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', NO_COLOR: '1'})
  let exitCode = 0
  try {
    await command.run(argv, {root: REPO_ROOT})
    exitCode = Number(process.exitCode ?? 0)
  } catch (error) {
    exitCode = Number((error as {oclif?: {exit?: number}}).oclif?.exit ?? process.exitCode ?? 1)
  } finally {
    process.stdout.write = writeOut
    process.stderr.write = writeErr
    process.exitCode = previousExitCode
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }

  // Colours depend on the environment (CI=true turns them on even without a terminal): compare the text.
  return {
    exitCode,
    stderr: stripVTControlCharacters(stderr.join('')),
    stdout: stripVTControlCharacters(stdout.join('')),
  }
}

describe('wsapi logs and wsapi connections commands, deployed (mocked AWS)', () => {
  let cfn: AwsClientStub<CloudFormationClient>
  let logs: AwsClientStub<CloudWatchLogsClient>
  let dynamo: AwsClientStub<DynamoDBClient>
  let management: AwsClientStub<ApiGatewayManagementApiClient>
  let dir: string

  before(() => {
    dir = scaffoldProject()
  })

  beforeEach(() => {
    cfn = mockClient(CloudFormationClient)
    logs = mockClient(CloudWatchLogsClient)
    dynamo = mockClient(DynamoDBClient)
    management = mockClient(ApiGatewayManagementApiClient)
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          CreationTime: new Date('2026-12-01T10:00:00Z'),
          Outputs: [
            {OutputKey: 'ManagementEndpoint', OutputValue: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1'},
            {OutputKey: 'ConnectionsTable', OutputValue: 'chat-v1-ConnectionsTable-1X2Y3Z4W5V6U'},
          ],
          StackId: STACK_ID,
          StackName: 'chat-v1',
          StackStatus: 'CREATE_COMPLETE',
        },
      ],
    })
    cfn.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LastUpdatedTimestamp: new Date(),
          LogicalResourceId: 'SendmessageFunction',
          PhysicalResourceId: 'chat-v1-SendmessageFunction-AbCdEf123456',
          ResourceStatus: 'CREATE_COMPLETE',
          ResourceType: 'AWS::Lambda::Function',
        },
        {
          LastUpdatedTimestamp: new Date(),
          LogicalResourceId: 'SendmessageLogGroup',
          PhysicalResourceId: 'chat-v1-SendmessageLogGroup-Zr5Pw9Ju2fGh',
          ResourceStatus: 'CREATE_COMPLETE',
          ResourceType: 'AWS::Logs::LogGroup',
        },
      ],
    })
  })

  afterEach(() => {
    cfn.restore()
    logs.restore()
    dynamo.restore()
    management.restore()
  })

  it('logs prints each line with time, function and level, escaping what the handler wrote; --json is NDJSON', async () => {
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        {
          eventId: 'e1',
          logStreamName: 's',
          message: '2026-12-04T06:00:00.120Z\tr1\tERROR\tboom \u001b]0;pwned\u0007\n',
          timestamp: Date.parse('2026-12-04T06:00:00.120Z'),
        },
      ],
    })
    const text = await run(Logs, ['--dir', dir, '--region', 'eu-west-1', '--since', '2026-12-04T05:00:00Z'])
    assert.equal(text.exitCode, 0, text.stderr)
    assert.equal(text.stdout, '06:00:00.120 sendmessage  ERROR boom \\x1b]0;pwned\\x07\n')
    const json = await run(Logs, ['--dir', dir, '--region', 'eu-west-1', '--since', '2026-12-04T05:00:00Z', '--json'])
    assert.deepEqual(JSON.parse(json.stdout), {
      function: 'sendmessage',
      level: 'ERROR',
      logicalId: 'SendmessageFunction',
      message: 'boom \u001b]0;pwned\u0007',
      requestId: 'r1',
      source: 'cloudwatch',
      time: '2026-12-04T06:00:00.120Z',
    })
    const bad = await run(Logs, ['--dir', dir, '--region', 'eu-west-1', '--since', 'yesterday'])
    assert.equal(bad.exitCode, 2)
    assert.match(bad.stderr, /^Error: Invalid --since "yesterday": give a duration such as 30s/)
  })

  it('connections lists the deployed table; post to a gone connection is one line, exit 1', async () => {
    dynamo.on(ScanCommand).resolves({
      Items: [{connectedAt: {N: '1764842400000'}, connectionId: {S: 'L0SM9cOFvHcCIhw='}, expiresAt: {N: '1764849600'}}],
    })
    const listed = await run(Connections, ['--dir', dir, '--stage', 'v1', '--region', 'eu-west-1'])
    assert.equal(listed.exitCode, 0, listed.stderr)
    assert.equal(
      listed.stdout,
      'Connection        Connected at\nL0SM9cOFvHcCIhw=  2025-12-04 10:00:00 UTC\n1 connection on chat-v1\n',
    )

    management.on(PostToConnectionCommand).rejects(new GoneException({$metadata: {httpStatusCode: 410}, message: ''}))
    const gone = await run(ConnectionsPost, ['L0SM9cOFvHcCIhw=', 'hi', '--dir', dir, '--region', 'eu-west-1'])
    assert.equal(gone.exitCode, 1)
    assert.equal(gone.stderr, 'Error: connection L0SM9cOFvHcCIhw= is gone\n')
  })
})
