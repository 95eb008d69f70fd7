import assert from 'node:assert/strict'

import {collectReferences, parseTemplate, renameLogicalId} from '../../../src/lib/project/cfn.js'

describe('cfn', () => {
  it('expands short-form tags to their JSON form', () => {
    const template = parseTemplate(
      `
Resources:
  A:
    Type: AWS::SNS::Topic
    Properties:
      R: !Ref B
      G: !GetAtt B.Arn
      G2: !GetAtt [B, Arn]
      S: !Sub 'x-\${B}'
      S2: !Sub
        - '\${X}'
        - X: !GetAtt B.Arn
      J: !Join ['/', [a, !Ref B]]
      I: !If [C, 1, 2]
      N: !Select [0, !GetAZs '']
`,
      't.yaml',
    )
    assert.deepEqual(template.Resources.A.Properties, {
      G: {'Fn::GetAtt': ['B', 'Arn']},
      G2: {'Fn::GetAtt': ['B', 'Arn']},
      I: {'Fn::If': ['C', 1, 2]},
      J: {'Fn::Join': ['/', ['a', {Ref: 'B'}]]},
      N: {'Fn::Select': [0, {'Fn::GetAZs': ''}]},
      R: {Ref: 'B'},
      S: {'Fn::Sub': 'x-${B}'},
      S2: {'Fn::Sub': ['${X}', {X: {'Fn::GetAtt': ['B', 'Arn']}}]},
    })
  })

  for (const [text, pattern] of [
    ['Resources: [a', /not valid YAML/],
    ['- a', /not a CloudFormation template/],
    ['Description: x', /no Resources section/],
    ['Resources:\n  A: {Properties: {}}', /resource A has no Type/],
    ['Resources:\n  A: {Type: X}\n  A: {Type: Y}', /not valid YAML/],
  ] as const) {
    it(`rejects ${JSON.stringify(text)} with exit 2`, () => {
      assert.throws(
        () => parseTemplate(text, 'template.yaml'),
        (error: Error & {exit?: number}) => {
          assert.match(error.message, pattern)
          assert.match(error.message, /^template\.yaml/)
          assert.equal(error.exit, 2)
          return true
        },
      )
    })
  }

  it('collects Ref, GetAtt and Sub variables, skipping the Sub map and literals', () => {
    const references = collectReferences({
      a: {Ref: 'X'},
      b: {'Fn::GetAtt': 'Y.Arn'},
      c: {'Fn::Sub': ['${Z.Arn}/${V}/${!Literal}/${AWS::Region}', {V: {Ref: 'W'}}]},
    })
    assert.deepEqual(references, [
      {kind: 'Ref', target: 'X'},
      {attribute: 'Arn', kind: 'GetAtt', target: 'Y'},
      {attribute: 'Arn', kind: 'Sub', target: 'Z'},
      {attribute: undefined, kind: 'Sub', target: 'AWS::Region'},
      {kind: 'Ref', target: 'W'},
    ])
  })

  it('renames a logical id everywhere it is referenced', () => {
    const renamed = renameLogicalId(
      {
        Outputs: {O: {Value: {'Fn::Sub': '${Old}-${Older}'}}},
        Resources: {
          A: {
            DependsOn: ['Old', 'B'],
            Properties: {G: {'Fn::GetAtt': ['Old', 'Arn']}, R: {Ref: 'Old'}, S: {'Fn::Sub': '${Old.Arn}'}},
            Type: 'T',
          },
          Old: {Type: 'AWS::ApiGatewayV2::Deployment'},
        },
      },
      'Old',
      'New',
    )
    assert.deepEqual(Object.keys(renamed.Resources).sort(), ['A', 'New'])
    assert.deepEqual(renamed.Resources.A, {
      DependsOn: ['New', 'B'],
      Properties: {G: {'Fn::GetAtt': ['New', 'Arn']}, R: {Ref: 'New'}, S: {'Fn::Sub': '${New.Arn}'}},
      Type: 'T',
    })
    assert.deepEqual(renamed.Outputs, {O: {Value: {'Fn::Sub': '${New}-${Older}'}}})
  })
})
