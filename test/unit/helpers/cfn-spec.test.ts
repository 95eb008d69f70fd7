import assert from 'node:assert/strict'

import {validateAgainstSpec} from '../../helpers/cfn-spec.js'

// The spec check guards every template test, so it must itself be able to fail.
describe('CloudFormation spec check', () => {
  it('accepts a valid template', () => {
    const errors = validateAgainstSpec({
      Outputs: {Arn: {Value: {'Fn::GetAtt': ['Topic', 'TopicArn']}}},
      Resources: {Topic: {Properties: {TopicName: 'x'}, Type: 'AWS::SNS::Topic'}},
    })
    assert.deepEqual(errors, [])
  })

  it('reports unknown types, unknown and missing properties, wrong types and dangling references', () => {
    const errors = validateAgainstSpec({
      Outputs: {Bad: {Value: {'Fn::GetAtt': ['Table', 'NoSuchAttribute']}}},
      Resources: {
        Fn: {
          DependsOn: 'Ghost',
          Properties: {Handler: 'index.handler', Role: {Ref: 'Missing'}, Runtime: 'nodejs22.x', Timeout: 'soon'},
          Type: 'AWS::Lambda::Function',
        },
        Table: {
          Properties: {KeySchema: [{AttributeName: 'id', KeyType: 'HASH'}], Tabel: 'typo'},
          Type: 'AWS::DynamoDB::Table',
        },
        Thing: {Type: 'AWS::Nope::Thing'},
      },
      Transform: 'AWS::Serverless-2016-10-31',
    })
    const text = errors.join('\n')
    for (const pattern of [
      /Transform/,
      /Thing: unknown resource type AWS::Nope::Thing/,
      /Table.Properties.Tabel: no such property/,
      /Fn.Properties: required property Code is missing/,
      /Fn.Properties.Timeout: expected a number/,
      /Fn.DependsOn: no resource Ghost/,
      /Ref to Missing, which does not exist/,
      /Table \(AWS::DynamoDB::Table\) has no attribute NoSuchAttribute/,
    ]) {
      assert.match(text, pattern)
    }
  })

  it('accepts a local Code path only when asked to', () => {
    const template = {
      Resources: {Fn: {Properties: {Code: 'src/x.ts', Role: 'arn:aws:iam::1:role/r'}, Type: 'AWS::Lambda::Function'}},
    }
    assert.deepEqual(validateAgainstSpec(template, {allowLocalCode: true}), [])
    assert.match(validateAgainstSpec(template).join('\n'), /Fn.Properties.Code: expected an object/)
  })
})
