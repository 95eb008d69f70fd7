import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {resolveTarget} from '../../../src/lib/client/target.js'
import {resolveStackTarget} from '../../../src/lib/deploy/target.js'
import {loadProject} from '../../../src/lib/project/model.js'
import {resolveStage} from '../../../src/lib/project/stage.js'
import {writeOutputsState} from '../../../src/lib/project/state.js'
import {scaffoldProject} from '../../helpers/project.js'

function usageError(pattern: RegExp) {
  return (error: Error & {exit?: number}) => {
    assert.match(error.message, pattern)
    assert.equal(error.exit, 2)
    return true
  }
}

describe('resolveStage', () => {
  const template = {declaresParameter: true, file: 'template.yaml', project: 'chat', templateStage: 'v1'}

  it('takes --stage over the template, else the template', () => {
    assert.equal(resolveStage({...template, requested: 'prod'}), 'prod')
    assert.equal(resolveStage(template), 'v1')
    assert.equal(resolveStage({...template, declaresParameter: false}), 'v1')
    assert.equal(resolveStage({...template, declaresParameter: false, requested: 'v1'}), 'v1')
  })

  it('checks every stage the same way: as API Gateway does, and as part of the stack name', () => {
    assert.throws(
      () => resolveStage({...template, requested: '../etc'}),
      usageError(/^Invalid stage "\.\.\/etc": use only letters, digits, "-" and "_"/),
    )
    assert.throws(
      () => resolveStage({...template, requested: 'a_b'}),
      usageError(/"chat-a_b" \(<project>-<stage>\) is not valid for CloudFormation .*use --stage a-b\.$/),
    )
    assert.throws(() => resolveStage({...template, templateStage: 'a b'}), usageError(/^Invalid stage "a b"/))
    // A folder name that cannot name a stack still runs locally; deploy refuses it with its own message.
    assert.equal(resolveStage({...template, project: 'my_app', requested: 'a_b'}), 'a_b')
  })

  it('refuses another stage of a template that fixes it, and a stage parameter without a value', () => {
    assert.throws(
      () => resolveStage({...template, declaresParameter: false, requested: 'prod'}),
      usageError(/template.yaml fixes the stage to v1 .*leave --stage out\./),
    )
    assert.throws(
      () => resolveStage({...template, templateStage: undefined}),
      usageError(/template.yaml gives StageName no default: pass --stage, e.g. --stage v1/),
    )
  })
})

describe('the stage of a loaded project', () => {
  it('is the resolved stage: the model, the StageName parameter and the stack agree', () => {
    const dir = scaffoldProject()
    const project = loadProject(dir, {stage: 'prod'})
    assert.equal(project.stage.name, 'prod')
    assert.equal(project.parameters.StageName, 'prod')
    const target = resolveStackTarget(dir, 'prod')
    assert.equal(target.stackName, 'chat-prod')
    assert.equal(target.project.stage.name, 'prod')
    assert.equal(resolveStackTarget(dir).project.stage.name, 'v1')
  })

  it('is checked the same way by deploy and connect', async () => {
    const dir = scaffoldProject()
    assert.throws(() => resolveStackTarget(dir, '../v1'), usageError(/^Invalid stage "\.\.\/v1"/))
    // connect reads .wsapi/outputs/<stage>.json: a stage is never a path.
    writeOutputsState(dir, {
      deployedAt: '',
      outputs: {WebSocketUrl: 'wss://abc.execute-api.eu-west-1.amazonaws.com/v1'},
      region: 'eu-west-1',
      stackName: 'chat-v1',
      stage: 'v1',
    })
    await assert.rejects(resolveTarget({dir, stage: '../outputs/v1'}), usageError(/^Invalid stage "\.\.\/outputs\/v1"/))
    await assert.rejects(resolveTarget({dir, stage: 'a_b'}), usageError(/use --stage a-b\.$/))
    assert.equal((await resolveTarget({dir, stage: 'v1'})).url, 'wss://abc.execute-api.eu-west-1.amazonaws.com/v1')
  })

  it('refuses a --stage that a template without the StageName parameter cannot serve', async () => {
    const dir = scaffoldProject()
    const path = join(dir, 'template.yaml')
    writeFileSync(
      path,
      readFileSync(path, 'utf8')
        .replace('StageName: !Ref StageName', 'StageName: live')
        .replaceAll('${StageName}', 'live')
        .replace(/\n {2}StageName:\n( {4}.*\n)+/, '\n'),
    )
    assert.equal(loadProject(dir).stage.name, 'live')
    assert.throws(() => resolveStackTarget(dir, 'prod'), usageError(/fixes the stage to live/))
    await assert.rejects(resolveTarget({dir, stage: 'prod'}), usageError(/fixes the stage to live/))
  })
})
