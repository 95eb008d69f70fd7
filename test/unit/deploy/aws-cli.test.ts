import assert from 'node:assert/strict'

import {executeCommand, readSecretCommand, secretCommands} from '../../../src/lib/deploy/aws-cli.js'
import type {CfnTemplate} from '../../../src/lib/project/index.js'

describe('deploy: the AWS CLI commands it suggests', () => {
  const plain = {region: 'eu-west-1'}
  const named = {endpointUrl: 'http://127.0.0.1:4566', profile: 'work', region: 'us-east-1'}

  it('name the same region, profile and endpoint as the deploy', () => {
    assert.equal(
      readSecretCommand(plain, 'arn:s'),
      'aws secretsmanager get-secret-value --secret-id arn:s --query SecretString --output text --region eu-west-1',
    )
    assert.equal(
      executeCommand(named, 'arn:cs'),
      'aws cloudformation execute-change-set --change-set-name arn:cs --region us-east-1 --profile work --endpoint-url http://127.0.0.1:4566',
    )
  })

  it('read the value of each deployed output that is the Ref of a secret of the template, and no other', () => {
    const template: CfnTemplate = {
      Outputs: {
        ApiUrl: {Value: {Ref: 'Api'}},
        Missing: {Value: {Ref: 'Other'}},
        TokenArn: {Value: {Ref: 'Token'}},
      },
      Resources: {
        Api: {Type: 'AWS::ApiGatewayV2::Api'},
        Other: {Type: 'AWS::SecretsManager::Secret'},
        Token: {Type: 'AWS::SecretsManager::Secret'},
      },
    }
    assert.deepEqual(secretCommands(plain, template, {ApiUrl: 'wss://x', TokenArn: 'arn:t'}), [
      {command: readSecretCommand(plain, 'arn:t'), output: 'TokenArn'},
    ])
  })
})
