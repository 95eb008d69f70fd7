import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation'
import {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {type AwsClientStub, mockClient} from 'aws-sdk-client-mock'

import {type AwsOptions, type AwsSession, createAwsSession} from '../../src/lib/aws/index.js'
import {FakeCloudFormation, type FakeCloudFormationOptions} from './fake-cloudformation.js'
import {type LocalS3, startLocalS3} from './local-s3.js'

/** Credentials s3rver accepts; any SDK-mocked client accepts anything. */
export const TEST_CREDENTIALS = {accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER'}
export const TEST_AWS: AwsOptions = {credentials: TEST_CREDENTIALS, maxAttempts: 1, region: 'eu-west-1'}

export interface MockedCloudFormation {
  cfn: AwsClientStub<CloudFormationClient>
  restore(): void
  sim: FakeCloudFormation
  sts: AwsClientStub<STSClient>
}

const COMMANDS = [
  [CreateChangeSetCommand, 'CreateChangeSet'],
  [DeleteChangeSetCommand, 'DeleteChangeSet'],
  [DeleteStackCommand, 'DeleteStack'],
  [DescribeChangeSetCommand, 'DescribeChangeSet'],
  [DescribeStackEventsCommand, 'DescribeStackEvents'],
  [DescribeStacksCommand, 'DescribeStacks'],
  [ExecuteChangeSetCommand, 'ExecuteChangeSet'],
  [ListStackResourcesCommand, 'ListStackResources'],
] as const

/**
 * Mocks every CloudFormation and STS client (aws-sdk-client-mock) with a FakeCloudFormation behind them,
 * so that tests assert on the SDK inputs (`cfn.commandCalls(...)`) and get AWS-shaped sequences back.
 */
export function mockCloudFormation(options: FakeCloudFormationOptions = {}): MockedCloudFormation {
  const sim = new FakeCloudFormation(options)
  const cfn = mockClient(CloudFormationClient)
  const sts = mockClient(STSClient)
  for (const [command, action] of COMMANDS) {
    // The mock's typing wants each command's exact output; the simulator answers in those shapes.
    cfn.on(command as never).callsFake((input: Record<string, unknown>) => sim.handle(action, input) as never)
  }

  sts
    .on(GetCallerIdentityCommand)
    .callsFake((input: Record<string, unknown>) => sim.handle('GetCallerIdentity', input) as never)
  return {
    cfn,
    restore() {
      cfn.restore()
      sts.restore()
    },
    sim,
    sts,
  }
}

export interface MockedAwsWithS3 {
  /** A fresh mocked CloudFormation + STS for each test. */
  readonly aws: MockedCloudFormation
  /** s3rver for the whole file, reached by the real S3 client through AWS_ENDPOINT_URL_S3. */
  readonly s3: LocalS3
}

/**
 * Registers the mocha hooks most deploy tests need: CloudFormation and STS mocked (with the simulator
 * creating its buckets in s3rver and checking the uploaded code there), S3 real on s3rver.
 */
export function useMockedAws(options: {buckets?: string[]} = {}): MockedAwsWithS3 {
  const state: {aws?: MockedCloudFormation; s3?: LocalS3} = {}
  before(async () => {
    state.s3 = await startLocalS3(options.buckets)
    process.env.AWS_ENDPOINT_URL_S3 = state.s3.url
  })
  after(async () => {
    delete process.env.AWS_ENDPOINT_URL_S3
    await state.s3?.stop()
  })
  beforeEach(() => {
    const s3 = state.s3!
    state.aws = mockCloudFormation({
      createBucket: s3.createBucket,
      fetchTemplate: s3.fetchTemplate,
      objectExists: s3.objectExists,
      pageSize: 4,
    })
  })
  afterEach(() => state.aws?.restore())
  return {
    get aws() {
      return state.aws!
    },
    get s3() {
      return state.s3!
    },
  }
}

/**
 * Mocha hooks for tests that script CloudFormation answers themselves: the mock is installed for the
 * file (mockClient stubs every CloudFormationClient until restored) and reset before each test, with a
 * fresh session whose CloudFormationApi goes through it.
 */
export function useCloudFormationMock(): {
  readonly cfn: AwsClientStub<CloudFormationClient>
  readonly session: AwsSession
} {
  const state: {cfn?: AwsClientStub<CloudFormationClient>; session?: AwsSession} = {}
  before(() => {
    state.cfn = mockClient(CloudFormationClient)
  })
  beforeEach(async () => {
    state.cfn!.reset()
    state.session = await createAwsSession(TEST_AWS)
  })
  afterEach(() => state.session?.destroy())
  after(() => state.cfn?.restore())
  return {
    get cfn() {
      return state.cfn!
    },
    get session() {
      return state.session!
    },
  }
}
