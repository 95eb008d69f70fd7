import assert from 'node:assert/strict'

import {CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand} from '@aws-sdk/client-cloudformation'
import {
  AccessDeniedException,
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type FilterLogEventsCommandInput,
  ResourceNotFoundException,
  StartLiveTailCommand,
  type StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs'
import {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {type AwsClientStub, mockClient} from 'aws-sdk-client-mock'

import {WsapiError} from '../../../src/lib/errors.js'
import {deployedLogs} from '../../../src/lib/logs/deployed.js'
import type {LogLine, LogsOptions} from '../../../src/lib/logs/index.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {TEST_AWS} from '../../helpers/aws-mocks.js'
import {scaffoldProject} from '../../helpers/project.js'

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/chat-v1/0c4d6a10-8f2e-11ef-9a3b-0a1b2c3d4e5f'
const GROUPS = {
  ConnectFunction: 'chat-v1-ConnectLogGroup-8HzNq2kLw0aB',
  DisconnectFunction: 'chat-v1-DisconnectLogGroup-Qm3Vt7Yx1cDe',
  SendmessageFunction: 'chat-v1-SendmessageLogGroup-Zr5Pw9Ju2fGh',
} as const
const T0 = Date.parse('2026-12-04T06:00:00.000Z')

function stackResources() {
  const resources = [
    {
      LogicalResourceId: 'ConnectionsTable',
      PhysicalResourceId: 'chat-v1-ConnectionsTable-1X2Y3Z4W5V6U',
      ResourceType: 'AWS::DynamoDB::Table',
    },
  ]
  for (const [fn, group] of Object.entries(GROUPS)) {
    const prefix = fn.replace(/Function$/, '')
    resources.push(
      {LogicalResourceId: fn, PhysicalResourceId: `chat-v1-${fn}-AbCdEf123456`, ResourceType: 'AWS::Lambda::Function'},
      {LogicalResourceId: `${prefix}LogGroup`, PhysicalResourceId: group, ResourceType: 'AWS::Logs::LogGroup'},
      {
        LogicalResourceId: `${prefix}Role`,
        PhysicalResourceId: `chat-v1-${prefix}Role-QWERTY`,
        ResourceType: 'AWS::IAM::Role',
      },
    )
  }

  return resources.map((resource) => ({
    ...resource,
    LastUpdatedTimestamp: new Date(T0),
    ResourceStatus: 'CREATE_COMPLETE' as const,
  }))
}

const event = (group: string, offsetMs: number, message: string, id = `${group}-${offsetMs}`) => ({
  eventId: id,
  ingestionTime: T0 + offsetMs + 40,
  logStreamName: '2026/12/04/[$LATEST]8f1d2c3b4a5e6f708192a3b4c5d6e7f8',
  message,
  timestamp: T0 + offsetMs,
})

describe('wsapi logs against a deployed stack (mocked CloudFormation, STS and CloudWatch Logs)', () => {
  let cfn: AwsClientStub<CloudFormationClient>
  let logs: AwsClientStub<CloudWatchLogsClient>
  let sts: AwsClientStub<STSClient>
  let dir: string

  before(() => {
    dir = scaffoldProject()
  })

  beforeEach(() => {
    cfn = mockClient(CloudFormationClient)
    logs = mockClient(CloudWatchLogsClient)
    sts = mockClient(STSClient)
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{CreationTime: new Date(T0), StackId: STACK_ID, StackName: 'chat-v1', StackStatus: 'CREATE_COMPLETE'}],
    })
    cfn.on(ListStackResourcesCommand).resolves({StackResourceSummaries: stackResources()})
    sts
      .on(GetCallerIdentityCommand)
      .resolves({Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/dev', UserId: 'AIDAEXAMPLE'})
  })

  afterEach(() => {
    cfn.restore()
    logs.restore()
    sts.restore()
  })

  function options(overrides: Partial<LogsOptions> = {}): LogsOptions & {lines: LogLine[]; recorded: RecordingOutput} {
    const lines: LogLine[] = []
    const recorded = new RecordingOutput()
    return {
      aws: TEST_AWS,
      dir,
      functions: [],
      lines,
      onLine: (line) => lines.push(line),
      output: recorded,
      recorded,
      since: T0 - 600_000,
      ...overrides,
    }
  }

  it("reads each function's log group (from the stack's LogGroup resources), all pages, and interleaves the lines in time order, compactly", async () => {
    logs.on(FilterLogEventsCommand, {logGroupName: GROUPS.ConnectFunction}).resolves({
      events: [
        event(GROUPS.ConnectFunction, 10, 'START RequestId: 5f1e Version: $LATEST\n'),
        event(GROUPS.ConnectFunction, 30, '2026-12-04T06:00:00.030Z\t5f1e\tINFO\t{\n  "connected": true\n}\n'),
      ],
    })
    logs
      .on(FilterLogEventsCommand, {logGroupName: GROUPS.SendmessageFunction})
      .resolvesOnce({
        events: [
          event(
            GROUPS.SendmessageFunction,
            20,
            '{"timestamp":"2026-12-04T06:00:00.020Z","level":"ERROR","requestId":"77aa","message":"boom"}',
          ),
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({events: [event(GROUPS.SendmessageFunction, 40, 'REPORT RequestId: 77aa\tDuration: 12.3 ms')]})
    logs.on(FilterLogEventsCommand, {logGroupName: GROUPS.DisconnectFunction}).resolves({events: []})

    const run = options({filter: '?ERROR ?connected'})
    const result = await deployedLogs(run)
    assert.deepEqual(result, {
      functions: ['connect', 'disconnect', 'sendmessage'],
      lines: 4,
      source: 'cloudwatch',
      target: 'chat-v1',
    })
    assert.deepEqual(
      run.lines.map((line) => [line.time, line.function, line.level, line.requestId, line.message]),
      [
        ['2026-12-04T06:00:00.010Z', 'connect', undefined, undefined, 'START RequestId: 5f1e Version: $LATEST'],
        ['2026-12-04T06:00:00.020Z', 'sendmessage', 'ERROR', '77aa', 'boom'],
        ['2026-12-04T06:00:00.030Z', 'connect', 'INFO', '5f1e', '{"connected":true}'],
        ['2026-12-04T06:00:00.040Z', 'sendmessage', undefined, undefined, 'REPORT RequestId: 77aa\tDuration: 12.3 ms'],
      ],
    )
    const inputs = logs
      .commandCalls(FilterLogEventsCommand)
      .map((call) => call.args[0].input as FilterLogEventsCommandInput)
    assert.equal(inputs.length, 4)
    assert.ok(inputs.every((input) => input.startTime === T0 - 600_000 && input.filterPattern === '?ERROR ?connected'))
    assert.deepEqual(
      inputs.filter((input) => input.nextToken).map((input) => [input.logGroupName, input.nextToken]),
      [[GROUPS.SendmessageFunction, 'page-2']],
    )
    assert.equal(logs.commandCalls(StartLiveTailCommand).length, 0)
  })

  it('takes functions by short name, logical id or route key; an unknown one is a usage error listing the choices', async () => {
    logs.on(FilterLogEventsCommand).resolves({events: []})
    await deployedLogs(options({functions: ['$disconnect', 'SendmessageFunction']}))
    assert.deepEqual(
      logs
        .commandCalls(FilterLogEventsCommand)
        .map((call) => call.args[0].input.logGroupName)
        .sort(),
      [GROUPS.DisconnectFunction, GROUPS.SendmessageFunction],
    )

    await assert.rejects(deployedLogs(options({functions: ['sendmesage']})), (error: WsapiError) => {
      assert.equal(error.exit, 2)
      assert.equal(
        error.message,
        'No function "sendmesage" in this project: name one of connect ($connect), disconnect ($disconnect), sendmessage (sendmessage), by short name, logical id or route key.',
      )
      return true
    })
  })

  it('no stack, no log group yet, access denied: one line that says what to do (exit 1)', async () => {
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id chat-v1 does not exist'), {
        $metadata: {httpStatusCode: 400},
        name: 'ValidationError',
      }),
    )
    await assert.rejects(deployedLogs(options()), (error: WsapiError) => {
      assert.equal(error.exit, 1)
      assert.equal(
        error.message,
        'chat-v1 is not deployed in eu-west-1: deploy it with `wsapi deploy`, or pass the --stage / --region it is in.',
      )
      return true
    })

    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{CreationTime: new Date(T0), StackId: STACK_ID, StackName: 'chat-v1', StackStatus: 'CREATE_COMPLETE'}],
    })
    logs.on(FilterLogEventsCommand).rejects(
      new ResourceNotFoundException({
        $metadata: {httpStatusCode: 400},
        message: 'The specified log group does not exist.',
      }),
    )
    await assert.rejects(deployedLogs(options({functions: ['sendmessage']})), (error: WsapiError) => {
      assert.equal(error.exit, 1)
      assert.equal(
        error.message,
        `No logs yet: the log group ${GROUPS.SendmessageFunction} does not exist in eu-west-1; Lambda creates it when the function first runs: use the API (e.g. \`wsapi connect\`), then re-run, or add --follow to wait.`,
      )
      return true
    })

    logs.reset()
    logs.on(FilterLogEventsCommand, {logGroupName: GROUPS.ConnectFunction}).rejects(
      new ResourceNotFoundException({
        $metadata: {httpStatusCode: 400},
        message: 'The specified log group does not exist.',
      }),
    )
    logs
      .on(FilterLogEventsCommand, {logGroupName: GROUPS.SendmessageFunction})
      .resolves({events: [event(GROUPS.SendmessageFunction, 5, 'hello\n')]})
    const partly = options({functions: ['connect', 'sendmessage']})
    await deployedLogs(partly)
    assert.deepEqual(
      partly.lines.map((line) => line.message),
      ['hello'],
    )
    assert.equal(
      partly.recorded.text('warn'),
      `No log group ${GROUPS.ConnectFunction} yet (connect has not run): it appears when the function first runs.`,
    )

    logs.reset()
    logs.on(FilterLogEventsCommand).rejects(
      new AccessDeniedException({
        $metadata: {httpStatusCode: 400},
        message: 'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: logs:FilterLogEvents',
      }),
    )
    await assert.rejects(deployedLogs(options()), (error: WsapiError) => {
      assert.equal(error.exit, 1)
      assert.match(
        error.message,
        /^Access denied to CloudWatch Logs FilterLogEvents: User: arn:aws:iam::123456789012:user\/dev is not authorized to perform: logs:FilterLogEvents\. Ask for that permission/,
      )
      assert.doesNotMatch(error.message, /\n/)
      return true
    })
  })

  it('--follow with Live Tail: one session on the groups by ARN, lines as they stream, until aborted', async () => {
    logs.on(FilterLogEventsCommand).resolves({events: []})
    const controller = new AbortController()
    const run = options({follow: true, signal: controller.signal})
    const arn = (group: string) => `arn:aws:logs:eu-west-1:123456789012:log-group:${group}`
    async function* stream(): AsyncGenerator<StartLiveTailResponseStream> {
      yield {sessionStart: {logGroupIdentifiers: Object.values(GROUPS).map((group) => arn(group)), sessionId: 'a1b2'}}
      yield {
        sessionUpdate: {
          sessionMetadata: {sampled: false},
          sessionResults: [
            {
              logGroupIdentifier: arn(GROUPS.SendmessageFunction),
              message: '2026-12-04T06:05:00.200Z\tc3d4\tINFO\tsecond\n',
              timestamp: T0 + 300_200,
            },
            {logGroupIdentifier: arn(GROUPS.ConnectFunction), message: 'first\n', timestamp: T0 + 300_100},
          ],
        },
      }
      // The session stays open until the caller aborts it.
      if (!controller.signal.aborted)
        await new Promise((resolve) => controller.signal.addEventListener('abort', resolve))
    }

    logs.on(StartLiveTailCommand).resolves({responseStream: stream()})
    const done = deployedLogs({
      ...run,
      onLine: (line) => {
        run.lines.push(line)
        if (run.lines.length === 2) controller.abort()
      },
    })
    await done
    assert.deepEqual(
      run.lines.map((line) => [line.function, line.message]),
      [
        ['connect', 'first'],
        ['sendmessage', 'second'],
      ],
    )
    const input = logs.commandCalls(StartLiveTailCommand)[0].args[0].input
    assert.deepEqual(
      input.logGroupIdentifiers,
      [GROUPS.ConnectFunction, GROUPS.DisconnectFunction, GROUPS.SendmessageFunction].map((group) => arn(group)),
    )
  })

  it('--follow polls FilterLogEvents where Live Tail is missing (a custom endpoint, or the call refused): from the last line on, no line twice', async () => {
    for (const mode of ['endpoint', 'unsupported'] as const) {
      logs.reset()
      // History: one line. Then each poll answers from the cursor; FilterLogEvents' startTime is inclusive, so line 1 comes back once more.
      const answers = [
        {events: [event(GROUPS.ConnectFunction, 100, 'one\n', 'e1')]},
        {
          events: [
            event(GROUPS.ConnectFunction, 100, 'one\n', 'e1'),
            event(GROUPS.ConnectFunction, 100, 'two\n', 'e2'),
          ],
        },
        {
          events: [
            event(GROUPS.ConnectFunction, 100, 'two\n', 'e2'),
            event(GROUPS.ConnectFunction, 250, 'three\n', 'e3'),
          ],
        },
      ]
      let index = 0
      logs.on(FilterLogEventsCommand).callsFake(() => answers[Math.min(index++, answers.length - 1)])
      if (mode === 'unsupported')
        logs.on(StartLiveTailCommand).rejects(
          Object.assign(new Error('Operation not supported'), {
            $metadata: {httpStatusCode: 400},
            name: 'UnknownOperationException',
          }),
        )
      const controller = new AbortController()
      const run = options({
        aws: mode === 'endpoint' ? {...TEST_AWS, endpointUrl: 'http://localhost:4566'} : TEST_AWS,
        follow: true,
        functions: ['connect'],
        maxPollIntervalMs: 4,
        pollIntervalMs: 1,
        signal: controller.signal,
      })
      await deployedLogs({
        ...run,
        onLine(line) {
          run.lines.push(line)
          if (run.lines.length === 3) controller.abort()
        },
      })
      assert.deepEqual(
        run.lines.map((line) => line.message),
        ['one', 'two', 'three'],
        mode,
      )
      const starts = logs.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input.startTime)
      assert.deepEqual(starts.slice(0, 3), [run.since, T0 + 100, T0 + 100], mode)
      assert.equal(logs.commandCalls(StartLiveTailCommand).length, mode === 'endpoint' ? 0 : 1, mode)
    }
  })
})
