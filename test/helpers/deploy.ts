import assert from 'node:assert/strict'

import {CreateChangeSetCommand} from '@aws-sdk/client-cloudformation'

import {type DeployProjectOptions, type DeployProjectResult, deployProject} from '../../src/lib/deploy/index.js'
import {RecordingOutput} from '../../src/lib/output.js'
import {TEST_AWS, type MockedAwsWithS3} from './aws-mocks.js'
import {RecordingActivity} from './recording-activity.js'

/** `wsapi deploy` of the project in `dir` against the mocked AWS, with what it told its output and listener. */
export async function deploy(dir: string, options: Partial<DeployProjectOptions> = {}) {
  const output = new RecordingOutput()
  const listener = new RecordingActivity()
  const result = await deployProject({aws: TEST_AWS, dir, listener, output, pollIntervalMs: 1, ...options})
  return {listener, output, result}
}

/** Asserts that the deploy went through (its whole result in the message otherwise) and narrows it. */
export function deployed(result: DeployProjectResult): Extract<DeployProjectResult, {type: 'deployed'}> {
  assert.equal(result.type, 'deployed', JSON.stringify(result, null, 2))
  return result as Extract<DeployProjectResult, {type: 'deployed'}>
}

/** The CreateChangeSet inputs the mocked CloudFormation received for one stack, in order. */
export function changeSetInputs(fake: MockedAwsWithS3, stackName: string) {
  return fake.aws.cfn
    .commandCalls(CreateChangeSetCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.StackName === stackName)
}
