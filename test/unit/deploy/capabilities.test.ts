import assert from 'node:assert/strict'

import {requiredCapabilities} from '../../../src/lib/deploy/capabilities.js'
import type {CfnTemplate} from '../../../src/lib/project/index.js'

function template(resources: CfnTemplate['Resources'], extra: Partial<CfnTemplate> = {}): CfnTemplate {
  return {Resources: resources, ...extra}
}

describe('requiredCapabilities', () => {
  it('none for a template without IAM resources, transforms or nested stacks', () => {
    assert.deepEqual(
      requiredCapabilities(template({Bucket: {Type: 'AWS::S3::Bucket'}, Table: {Type: 'AWS::DynamoDB::Table'}})),
      [],
    )
  })

  it('CAPABILITY_IAM for IAM resources without custom names', () => {
    assert.deepEqual(
      requiredCapabilities(template({Role: {Properties: {AssumeRolePolicyDocument: {}}, Type: 'AWS::IAM::Role'}})),
      ['CAPABILITY_IAM'],
    )
    assert.deepEqual(
      requiredCapabilities(template({Policy: {Properties: {PolicyName: 'p'}, Type: 'AWS::IAM::Policy'}})),
      ['CAPABILITY_IAM'],
    )
  })

  it('CAPABILITY_NAMED_IAM (alone) when an IAM resource has a custom name', () => {
    const resources = {
      Named: {Properties: {RoleName: 'fixed'}, Type: 'AWS::IAM::Role'},
      Other: {Type: 'AWS::IAM::Role'},
    }
    assert.deepEqual(requiredCapabilities(template(resources)), ['CAPABILITY_NAMED_IAM'])
    assert.deepEqual(requiredCapabilities(template({User: {Properties: {UserName: 'u'}, Type: 'AWS::IAM::User'}})), [
      'CAPABILITY_NAMED_IAM',
    ])
  })

  it('CAPABILITY_AUTO_EXPAND for a Transform, Fn::Transform or a nested stack, with IAM since their content is not visible', () => {
    const all = ['CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND']
    assert.deepEqual(requiredCapabilities(template({}, {Transform: 'AWS::Serverless-2016-10-31'})), all)
    assert.deepEqual(
      requiredCapabilities(
        template({B: {Properties: {X: {'Fn::Transform': {Name: 'AWS::Include'}}}, Type: 'AWS::S3::Bucket'}}),
      ),
      all,
    )
    assert.deepEqual(
      requiredCapabilities(
        template({Child: {Properties: {TemplateURL: 'https://x'}, Type: 'AWS::CloudFormation::Stack'}}),
      ),
      all,
    )
  })

  it("the generated project's template needs CAPABILITY_IAM only", async () => {
    const {loadProject} = await import('../../../src/lib/project/index.js')
    const {scaffoldProject} = await import('../../helpers/project.js')
    assert.deepEqual(requiredCapabilities(loadProject(scaffoldProject()).template), ['CAPABILITY_IAM'])
    assert.deepEqual(requiredCapabilities(loadProject(scaffoldProject({auth: 'token'})).template), ['CAPABILITY_IAM'])
  })
})
