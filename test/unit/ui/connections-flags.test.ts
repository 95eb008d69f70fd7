import assert from 'node:assert/strict'
import {relative} from 'node:path'

import {CloudFormationClient, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {mockClient} from 'aws-sdk-client-mock'

import type {WsapiError} from '../../../src/lib/errors.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {connectionsTargetOf, wantsDeployed} from '../../../src/ui/connections-flags.js'
import {scaffoldProject} from '../../helpers/project.js'

describe('connections flags', () => {
  it('--stage or any AWS flag asks for the deployed stage; none, for the running wsapi dev', () => {
    assert.equal(wantsDeployed({}), false)
    for (const flags of [
      {stage: 'v1'},
      {region: 'eu-west-1'},
      {profile: 'work'},
      {'endpoint-url': 'http://127.0.0.1:1'},
    ])
      assert.equal(wantsDeployed(flags), true, JSON.stringify(flags))
  })

  it('no flag, no dev server and no deploy from here: one line saying what to do (exit 1), for the folder given', async () => {
    const dir = relative(process.cwd(), scaffoldProject())
    await assert.rejects(connectionsTargetOf({dir}, new RecordingOutput()), (error: WsapiError) => {
      assert.equal(error.code, 'NO_CONNECTIONS_SOURCE')
      assert.equal(error.exit, 1)
      assert.match(error.message, /^No wsapi dev runs in this project and stage v1 was not deployed from here/)
      return true
    })
  })

  it('--stage and --region: the stack of that stage, looked up in that region', async () => {
    const cfn = mockClient(CloudFormationClient)
    try {
      cfn.on(DescribeStacksCommand).rejects(
        Object.assign(new Error('Stack with id chat-prod does not exist'), {
          $metadata: {httpStatusCode: 400},
          name: 'ValidationError',
        }),
      )
      const flags = {dir: scaffoldProject(), region: 'eu-central-1', stage: 'prod'}
      await assert.rejects(connectionsTargetOf(flags, new RecordingOutput()), (error: WsapiError) => {
        assert.match(error.message, /chat-prod is not deployed in eu-central-1/)
        return true
      })
      assert.equal(cfn.commandCalls(DescribeStacksCommand)[0].args[0].input.StackName, 'chat-prod')
    } finally {
      cfn.restore()
    }
  })
})
