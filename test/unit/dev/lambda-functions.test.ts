import assert from 'node:assert/strict'

import {lambdaFunctions, parseFunctionName} from '../../../src/lib/dev/lambda-functions.js'
import {fn, projectOf, stackWith, where} from '../../helpers/emulated-stack.js'

describe('dev: the functions the Lambda API reaches', () => {
  it('takes a function name, a partial ARN or an ARN, with or without a qualifier, of this account and Region only', () => {
    assert.deepEqual(parseFunctionName('app-v1-Fanout', where), {name: 'app-v1-Fanout', qualifier: undefined})
    assert.deepEqual(parseFunctionName('app-v1-Fanout:$LATEST', where), {name: 'app-v1-Fanout', qualifier: '$LATEST'})
    assert.deepEqual(parseFunctionName('000000000000:function:app-v1-Fanout', where), {
      name: 'app-v1-Fanout',
      qualifier: undefined,
    })
    assert.deepEqual(parseFunctionName('arn:aws:lambda:us-east-1:000000000000:function:app-v1-Fanout:live', where), {
      name: 'app-v1-Fanout',
      qualifier: 'live',
    })
    assert.equal(parseFunctionName('arn:aws:lambda:eu-west-1:000000000000:function:app-v1-Fanout', where), undefined)
    assert.equal(parseFunctionName('123456789012:function:app-v1-Fanout', where), undefined)
    assert.equal(parseFunctionName('has space', where), undefined)
    assert.equal(parseFunctionName('', where), undefined)
  })

  it("reads each function's EventInvokeConfig and DeadLetterConfig, with Lambda's defaults", () => {
    const stack = stackWith({
      Config: {
        Properties: {
          DestinationConfig: {OnFailure: {Destination: {'Fn::GetAtt': ['Dlq', 'Arn']}}},
          FunctionName: {Ref: 'Fanout'},
          MaximumEventAgeInSeconds: 120,
          MaximumRetryAttempts: 0,
          Qualifier: '$LATEST',
        },
        Type: 'AWS::Lambda::EventInvokeConfig',
      },
      Dlq: {Type: 'AWS::SQS::Queue'},
      Fanout: fn(),
      Legacy: fn({DeadLetterConfig: {TargetArn: {'Fn::GetAtt': ['Dlq', 'Arn']}}, FunctionName: 'legacy'}),
    })
    const functions = lambdaFunctions(stack, projectOf(stack))
    assert.deepEqual(functions.get('app-v1-Fanout')?.config, {
      deadLetterTarget: undefined,
      maximumEventAgeSeconds: 120,
      maximumRetryAttempts: 0,
      onFailure: 'arn:aws:sqs:us-east-1:000000000000:app-v1-Dlq',
      onSuccess: undefined,
    })
    assert.deepEqual(functions.get('legacy')?.config, {
      deadLetterTarget: 'arn:aws:sqs:us-east-1:000000000000:app-v1-Dlq',
      maximumEventAgeSeconds: 21_600,
      maximumRetryAttempts: 2,
    })
    assert.equal(functions.get('legacy')?.arn, 'arn:aws:lambda:us-east-1:000000000000:function:legacy')
  })

  it('a config CloudFormation would refuse, or one for no function of the template, is a usage error naming it', () => {
    const config = (properties: Record<string, unknown>) =>
      stackWith({
        Config: {Properties: {FunctionName: {Ref: 'Fanout'}, ...properties}, Type: 'AWS::Lambda::EventInvokeConfig'},
        Fanout: fn(),
      })
    for (const [properties, pattern] of [
      [
        {MaximumRetryAttempts: 3},
        /EventInvokeConfig Config, MaximumRetryAttempts is 3; it must be a whole number from 0 to 2/,
      ],
      [{MaximumEventAgeInSeconds: 30}, /MaximumEventAgeInSeconds is 30; it must be a whole number from 60 to 21600/],
      [{FunctionName: 'elsewhere'}, /FunctionName "elsewhere" is no function of this template/],
    ] as const) {
      const stack = config(properties)
      assert.throws(
        () => lambdaFunctions(stack, projectOf(stack)),
        (error: Error & {exit?: number}) => error.exit === 2 && pattern.test(error.message),
      )
    }
  })

  it('warns of an EventInvokeConfig for a version or alias, which dev does not run, and leaves $LATEST alone', () => {
    const stack = stackWith({
      Config: {
        Properties: {FunctionName: {Ref: 'Fanout'}, MaximumRetryAttempts: 0, Qualifier: 'live'},
        Type: 'AWS::Lambda::EventInvokeConfig',
      },
      Fanout: fn(),
    })
    const warnings: string[] = []
    const functions = lambdaFunctions(stack, projectOf(stack), (line) => warnings.push(line))
    assert.equal(functions.get('app-v1-Fanout')?.config.maximumRetryAttempts, 2)
    assert.deepEqual(warnings, [
      'EventInvokeConfig Config is for Fanout:live; wsapi dev runs $LATEST only, so it does not apply here.',
    ])
  })
})
