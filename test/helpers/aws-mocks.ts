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

import type {AwsOptions} from '../../src/lib/aws/index.js'
import {FakeCloudFormation, type FakeCloudFormationOptions} from './fake-cloudformation.js'

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

  sts.on(GetCallerIdentityCommand).callsFake((input: Record<string, unknown>) => sim.handle('GetCallerIdentity', input) as never)
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
