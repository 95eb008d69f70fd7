import assert from 'node:assert/strict'
import {rmSync} from 'node:fs'
import {join} from 'node:path'

import type {CfnTemplate} from '../../../src/lib/project/cfn.js'
import {loadProject} from '../../../src/lib/project/model.js'
import {loadFunction, loadTable, referencedResource, resolveScalar} from '../../../src/lib/project/resources.js'
import {editTemplate, rejectsNaming, scaffoldProject} from '../../helpers/project.js'

describe('project resources', () => {
  it('resolves a literal or a Ref to a parameter, and follows Ref, GetAtt and Sub to a resource of a type', () => {
    assert.equal(resolveScalar(3, {}), '3')
    assert.equal(resolveScalar({Ref: 'Stage'}, {Stage: 'v1'}), 'v1')
    assert.equal(resolveScalar({'Fn::If': ['c', 'a', 'b']}, {}), undefined)
    const template: CfnTemplate = {
      Resources: {Fn: {Properties: {}, Type: 'AWS::Lambda::Function'}, Role: {Properties: {}, Type: 'AWS::IAM::Role'}},
    }
    assert.equal(referencedResource(template, {'Fn::GetAtt': ['Fn', 'Arn']}, 'AWS::Lambda::Function'), 'Fn')
    assert.equal(referencedResource(template, {'Fn::Sub': '${Role.Arn} ${Fn.Arn}'}, 'AWS::Lambda::Function'), 'Fn')
    assert.equal(referencedResource(template, {Ref: 'Role'}, 'AWS::Lambda::Function'), undefined)
  })

  it("reads a table's keys and TTL, naming a key without a definition", () => {
    const table = {
      Properties: {
        AttributeDefinitions: [
          {AttributeName: 'room', AttributeType: 'S'},
          {AttributeName: 'id', AttributeType: 'S'},
        ],
        KeySchema: [
          {AttributeName: 'room', KeyType: 'HASH'},
          {AttributeName: 'id', KeyType: 'RANGE'},
        ],
        TimeToLiveSpecification: {AttributeName: 'expiresAt', Enabled: true},
      },
      Type: 'AWS::DynamoDB::Table',
    }
    assert.deepEqual(loadTable('template.yaml', 'Members', table), {
      attributeDefinitions: [
        {name: 'room', type: 'S'},
        {name: 'id', type: 'S'},
      ],
      hashKey: {name: 'room', type: 'S'},
      logicalId: 'Members',
      rangeKey: {name: 'id', type: 'S'},
      ttlAttribute: 'expiresAt',
    })
    const disabled = {...table.Properties, TimeToLiveSpecification: {AttributeName: 'expiresAt', Enabled: false}}
    assert.equal(loadTable('t.yaml', 'Members', {...table, Properties: disabled}).ttlAttribute, undefined)
    const undefinedKey = {...table.Properties, AttributeDefinitions: [{AttributeName: 'room', AttributeType: 'S'}]}
    assert.throws(
      () => loadTable('t.yaml', 'Members', {...table, Properties: undefinedKey}),
      /^UsageError: t\.yaml: table Members: key "id" has no AttributeDefinitions entry\.$/,
    )
    assert.throws(
      () => loadTable('t.yaml', 'Members', {...table, Properties: {...table.Properties, KeySchema: []}}),
      /table Members has no HASH key/,
    )
  })

  it("takes Lambda's defaults for a function's timeout, memory and handler, and runs only Node.js", () => {
    const dir = scaffoldProject()
    const template: CfnTemplate = {
      Resources: {
        Fn: {Properties: {Code: 'src/handlers/connect.ts', Runtime: 'nodejs22.x'}, Type: 'AWS::Lambda::Function'},
      },
    }
    const fn = loadFunction(dir, 'template.yaml', template, 'Fn', 'route $connect', {})
    assert.deepEqual(
      [fn.timeout, fn.memorySize, fn.handler, fn.architecture, fn.codePath],
      [3, 128, 'index.handler', 'x86_64', 'src/handlers/connect.ts'],
    )
    template.Resources.Fn.Properties!.Runtime = 'python3.12'
    assert.throws(
      () => loadFunction(dir, 'template.yaml', template, 'Fn', 'route $connect', {}),
      /function Fn \(route \$connect\) has Runtime "python3\.12"; wsapi runs Node\.js functions/,
    )
  })

  it("reads the stage's throttling (DefaultRouteSettings, RouteSettings by route key) and ReservedConcurrentExecutions", () => {
    const dir = scaffoldProject({routes: 'sendmessage'})
    assert.deepEqual(loadProject(dir).throttling, {defaults: {burstLimit: 2000, rateLimit: 1000}, routes: {}})
    assert.equal(loadProject(dir).functions.SendmessageFunction.reservedConcurrency, 100)
    editTemplate(dir, (text) =>
      text
        .replace(
          '        ThrottlingRateLimit: 1000\n',
          '        ThrottlingRateLimit: 0.5\n      RouteSettings:\n        sendmessage:\n          ThrottlingBurstLimit: !Ref Burst\n',
        )
        .replace('Parameters:\n', "Parameters:\n  Burst:\n    Type: Number\n    Default: '3'\n")
        .replace('ReservedConcurrentExecutions: 100', 'ReservedConcurrentExecutions: 2'),
    )
    const project = loadProject(dir)
    assert.deepEqual(project.throttling, {
      defaults: {burstLimit: 2000, rateLimit: 0.5},
      routes: {sendmessage: {burstLimit: 3, rateLimit: undefined}},
    })
    assert.equal(project.functions.SendmessageFunction.reservedConcurrency, 2)
    editTemplate(dir, (text) => text.replace('ThrottlingRateLimit: 0.5', 'ThrottlingRateLimit: fast'))
    rejectsNaming(dir, /stage Stage: DefaultRouteSettings\.ThrottlingRateLimit must be a number ≥ 0, not "fast"/)
    editTemplate(dir, (text) =>
      text
        .replace('ThrottlingRateLimit: fast', 'ThrottlingRateLimit: 1')
        .replace('ReservedConcurrentExecutions: 2', 'ReservedConcurrentExecutions: -1'),
    )
    rejectsNaming(dir, /function SendmessageFunction: ReservedConcurrentExecutions must be an integer ≥ 0, not -1/)
  })

  it('names a function whose Code path does not exist', () => {
    const dir = scaffoldProject()
    rmSync(join(dir, 'src/handlers/disconnect.ts'))
    rejectsNaming(
      dir,
      /function DisconnectFunction \(route \$disconnect\): Code path src\/handlers\/disconnect.ts does not exist/,
    )
  })
})
