import assert from 'node:assert/strict'

import type {StackInfo} from '../../../src/lib/aws/index.js'
import {
  checkGivenParameters,
  parameterProblem,
  resolveParameters,
  type TemplateParameter,
  templateParameters,
} from '../../../src/lib/deploy/index.js'
import type {UsageError} from '../../../src/lib/errors.js'

const declared: TemplateParameter[] = templateParameters({
  Parameters: {
    AuthTokenSecret: {
      Description: 'Secret that clients pass as the `token` query string.',
      MinLength: 16,
      NoEcho: true,
      Type: 'String',
    },
    LogLevel: {AllowedValues: ['debug', 'info'], Default: 'info', Type: 'String'},
    StageName: {AllowedPattern: '^[A-Za-z0-9_-]{1,128}$', Default: 'v1', Type: 'String'},
    TableName: {Type: 'String'},
  },
  Resources: {},
})

function stack(keys: string[]): StackInfo {
  return {
    outputs: [],
    parameters: keys.map((key) => ({key, value: '****'})),
    stackId: 'arn:stack',
    stackName: 'chat-v1',
    status: 'UPDATE_COMPLETE',
    tags: {},
  }
}

describe('deploy parameters', () => {
  it('checks keys and constraints before any AWS call, without repeating secrets', () => {
    assert.throws(
      () => checkGivenParameters(declared, {Nope: '1'}),
      (error: UsageError) =>
        error.exit === 2 &&
        error.message === 'Unknown --parameter Nope: template.yaml declares AuthTokenSecret, LogLevel, TableName.',
    )
    assert.throws(
      () => checkGivenParameters(declared, {StageName: 'prod'}),
      /--parameter StageName is set by wsapi: use --stage instead\./,
    )
    assert.throws(
      () => checkGivenParameters(declared, {ArtifactBucket: 'b'}),
      /--parameter ArtifactBucket is set by wsapi: use --s3-bucket instead\./,
    )
    assert.throws(
      () => checkGivenParameters(declared, {LogLevel: 'trace'}),
      /Invalid --parameter LogLevel: "trace" is not one of debug, info\./,
    )
    assert.throws(
      () => checkGivenParameters(declared, {AuthTokenSecret: 'tooshort'}),
      (error: Error) => error.message === 'Invalid --parameter AuthTokenSecret needs at least 16 characters.',
    )
    const secret = {...declared.find((parameter) => parameter.key === 'AuthTokenSecret')!, allowedPattern: '[a-z]+'}
    assert.equal(parameterProblem(secret, 'UPPERCASE-SECRET-VALUE'), 'AuthTokenSecret: the value does not match [a-z]+')
    checkGivenParameters(declared, {AuthTokenSecret: 'sixteen-chars-ok', LogLevel: 'debug'})
  })

  it('resolves: wsapi values, given values, the stack values on update, defaults, then the prompt', async () => {
    const asked: string[] = []
    const prompt = async (parameter: TemplateParameter) => {
      asked.push(parameter.key)
      return parameter.key === 'TableName' ? 'connections' : 'a-very-secret-token'
    }

    const create = await resolveParameters({declared, given: {LogLevel: 'debug'}, managed: {StageName: 'prod'}, prompt})
    assert.deepEqual(create.parameters, [
      {key: 'AuthTokenSecret', value: 'a-very-secret-token'},
      {key: 'LogLevel', value: 'debug'},
      {key: 'StageName', value: 'prod'},
      {key: 'TableName', value: 'connections'},
    ])
    assert.deepEqual(asked, ['AuthTokenSecret', 'TableName'])
    assert.deepEqual(create.secrets, ['a-very-secret-token'])

    // An update: what is not given keeps the stack's value (the secret is not asked again).
    const update = await resolveParameters({
      declared,
      existing: stack(['AuthTokenSecret', 'LogLevel', 'StageName', 'TableName']),
      given: {},
      managed: {StageName: 'prod'},
    })
    assert.deepEqual(update.parameters, [
      {key: 'AuthTokenSecret', usePreviousValue: true},
      {key: 'LogLevel', usePreviousValue: true},
      {key: 'StageName', value: 'prod'},
      {key: 'TableName', usePreviousValue: true},
    ])
    assert.deepEqual(update.secrets, [])

    await assert.rejects(resolveParameters({declared, given: {}, managed: {}}), (error: UsageError) => {
      assert.equal(error.exit, 2)
      assert.equal(
        error.message,
        'Parameter AuthTokenSecret has no value (Secret that clients pass as the `token` query string): set WSAPI_PARAMETER_AuthTokenSecret or pipe it to --parameter-stdin AuthTokenSecret (a --parameter value shows in `ps`), or run in a terminal to be asked.',
      )
      return true
    })
  })
})
