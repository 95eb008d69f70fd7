import assert from 'node:assert/strict'

import {
  chooseBranch,
  conditionHolds,
  functionEnvironment,
  type EmulatedStack,
  resolveValue,
  templateEnvironment,
} from '../../../src/lib/dev/environment.js'
import type {FunctionModel} from '../../../src/lib/project/index.js'

const stack: EmulatedStack = {
  accountId: '000000000000',
  apiEndpoint: 'ws://127.0.0.1:3001',
  apiId: 'abcdefghij',
  parameters: {Secret: 's3cret', StageName: 'v1'},
  region: 'eu-west-1',
  stackName: 'chat-v1',
  stageName: 'v1',
  template: {
    Conditions: {
      Both: {'Fn::And': [{Condition: 'SecretGiven'}, {'Fn::Equals': [{Ref: 'StageName'}, 'v1']}]},
      NoSecret: {'Fn::Equals': [{Ref: 'Secret'}, '']},
      SecretGiven: {'Fn::Not': [{Condition: 'NoSecret'}]},
    },
    Mappings: {Sizes: {small: {count: 3}}},
    Parameters: {NoDefault: {Type: 'String'}, Secret: {Type: 'String'}, StageName: {Type: 'String'}},
    Resources: {
      Api: {Type: 'AWS::ApiGatewayV2::Api'},
      Fn: {Properties: {FunctionName: 'named-fn'}, Type: 'AWS::Lambda::Function'},
      Other: {Type: 'AWS::SNS::Topic'},
      Token: {Type: 'AWS::SecretsManager::Secret'},
      Queue: {Properties: {MessageRetentionPeriod: 60}, Type: 'AWS::SQS::Queue'},
      NamedQueue: {Properties: {QueueName: 'shards-dlq'}, Type: 'AWS::SQS::Queue'},
      Table: {Type: 'AWS::DynamoDB::Table'},
    },
  },
}

const fn = (environment: Record<string, unknown>): FunctionModel => ({
  architecture: 'arm64',
  codePath: 'src/x.ts',
  entry: '/x.ts',
  environment,
  handler: 'index.handler',
  logicalId: 'Fn',
  memorySize: 256,
  runtime: 'nodejs22.x',
  timeout: 29,
})

describe('dev environment', () => {
  it('resolves Ref, GetAtt, Sub, Join, Select, Split and FindInMap to local names', () => {
    assert.equal(resolveValue(stack, {Ref: 'Table'}), 'chat-v1-Table')
    assert.equal(resolveValue(stack, {Ref: 'Fn'}), 'named-fn')
    assert.equal(resolveValue(stack, {Ref: 'Api'}), 'abcdefghij')
    assert.equal(resolveValue(stack, {Ref: 'Secret'}), 's3cret')
    assert.equal(
      resolveValue(stack, {'Fn::GetAtt': ['Table', 'Arn']}),
      'arn:aws:dynamodb:eu-west-1:000000000000:table/chat-v1-Table',
    )
    assert.equal(resolveValue(stack, {'Fn::GetAtt': 'Api.ApiEndpoint'}), 'ws://127.0.0.1:3001')
    assert.equal(
      resolveValue(stack, {
        'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${Api}/${StageName}/${Fn.Arn} ${!Literal}',
      }),
      'arn:aws:x:eu-west-1:000000000000:abcdefghij/v1/arn:aws:lambda:eu-west-1:000000000000:function:named-fn ${Literal}',
    )
    assert.equal(
      resolveValue(stack, {'Fn::Sub': ['${A}-${AWS::StackName}', {A: {Ref: 'Table'}}]}),
      'chat-v1-Table-chat-v1',
    )
    assert.equal(resolveValue(stack, {'Fn::Join': ['/', ['a', {Ref: 'AWS::Region'}]]}), 'a/eu-west-1')
    assert.equal(resolveValue(stack, {'Fn::Select': [1, {'Fn::Split': [',', 'x,y,z']}]}), 'y')
    assert.equal(resolveValue(stack, {'Fn::FindInMap': ['Sizes', 'small', 'count']}), '3')
    assert.equal(resolveValue(stack, 42), '42')
    assert.equal(resolveValue(stack, {Ref: 'AWS::NoValue'}), undefined)
  })

  it("decides conditions and Fn::If as CloudFormation does; a secret's Ref is its ARN", () => {
    assert.equal(conditionHolds(stack, 'NoSecret'), false)
    assert.equal(conditionHolds(stack, 'SecretGiven'), true)
    assert.equal(conditionHolds(stack, 'Both'), true)
    assert.equal(conditionHolds({...stack, parameters: {...stack.parameters, Secret: ''}}, 'Both'), false)
    assert.equal(resolveValue(stack, {'Fn::If': ['NoSecret', 'generated', {Ref: 'Secret'}]}), 's3cret')
    assert.equal(resolveValue(stack, {'Fn::If': ['SecretGiven', {Ref: 'AWS::NoValue'}, 'x']}), undefined)
    assert.deepEqual(chooseBranch(stack, {'Fn::If': ['SecretGiven', {PasswordLength: 8}, {Ref: 'AWS::NoValue'}]}), {
      PasswordLength: 8,
    })
    assert.equal(chooseBranch(stack, {'Fn::If': ['NoSecret', {PasswordLength: 8}, {Ref: 'AWS::NoValue'}]}), undefined)
    assert.match(
      resolveValue(stack, {Ref: 'Token'})!,
      /^arn:aws:secretsmanager:eu-west-1:000000000000:secret:chat-v1-Token-[A-Za-z0-9]{6}$/,
    )
    assert.throws(
      () => templateEnvironment(stack, fn({BAD: {'Fn::If': ['Nowhere', 'a', 'b']}})),
      /environment variable BAD: condition Nowhere is not in Conditions/,
    )
  })

  it('resolves a queue as CloudFormation does: Ref is its URL (on wsapi dev), GetAtt Arn, QueueName and QueueUrl', () => {
    assert.equal(resolveValue(stack, {Ref: 'Queue'}), 'http://127.0.0.1:3001/000000000000/chat-v1-Queue')
    assert.equal(
      resolveValue(stack, {'Fn::GetAtt': ['Queue', 'Arn']}),
      'arn:aws:sqs:eu-west-1:000000000000:chat-v1-Queue',
    )
    assert.equal(resolveValue(stack, {'Fn::GetAtt': 'NamedQueue.QueueName'}), 'shards-dlq')
    assert.equal(
      resolveValue({...stack, httpEndpoint: 'http://localhost:4000'}, {'Fn::GetAtt': 'NamedQueue.QueueUrl'}),
      'http://localhost:4000/000000000000/shards-dlq',
    )
  })

  it('a value it cannot resolve is a usage error naming the function and the variable', () => {
    for (const value of [
      {Ref: 'NoDefault'},
      {Ref: 'Missing'},
      {'Fn::ImportValue': 'x'},
      {'Fn::GetAtt': ['Other', 'Arn']},
    ]) {
      assert.throws(
        () => templateEnvironment(stack, fn({BAD: value})),
        (error: Error & {exit?: number}) =>
          error.exit === 2 && /function Fn, environment variable BAD: /.test(error.message),
      )
    }

    assert.throws(() => templateEnvironment(stack, fn({BAD: {Ref: 'NoDefault'}})), /pass --parameter NoDefault=<value>/)
  })

  it('sets what Lambda sets, with dummy credentials and the local endpoints winning over the template', () => {
    const environment = functionEnvironment(
      stack,
      fn({TABLE: {Ref: 'Table'}, WSAPI_MANAGEMENT_ENDPOINT: 'https://elsewhere'}),
      {dynamodbEndpoint: 'http://d', managementEndpoint: 'http://m/v1', secretsManagerEndpoint: 'http://s'},
    )
    assert.equal(environment.TABLE, 'chat-v1-Table')
    assert.equal(environment.WSAPI_MANAGEMENT_ENDPOINT, 'http://m/v1')
    assert.equal(environment.AWS_ENDPOINT_URL_DYNAMODB, 'http://d')
    assert.equal(environment.AWS_ENDPOINT_URL_SECRETS_MANAGER, 'http://s')
    assert.equal(environment.AWS_REGION, 'eu-west-1')
    assert.equal(environment.AWS_LAMBDA_FUNCTION_NAME, 'named-fn')
    assert.equal(environment.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256')
    assert.ok(environment.AWS_ACCESS_KEY_ID && environment.AWS_SECRET_ACCESS_KEY)
    assert.equal(environment.AWS_PROFILE, undefined)
  })

  it('points the Lambda and SQS clients of the handlers at wsapi dev, whatever the template sets', () => {
    const environment = functionEnvironment(stack, fn({AWS_ENDPOINT_URL_LAMBDA: 'https://elsewhere'}), {
      dynamodbEndpoint: 'http://d',
      localEndpoint: 'http://127.0.0.1:3001',
      managementEndpoint: 'http://m/v1',
      secretsManagerEndpoint: 'http://s',
    })
    assert.equal(environment.AWS_ENDPOINT_URL_LAMBDA, 'http://127.0.0.1:3001')
    assert.equal(environment.AWS_ENDPOINT_URL_SQS, 'http://127.0.0.1:3001')
  })
})
