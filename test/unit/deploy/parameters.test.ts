import assert from 'node:assert/strict'

import type {StackInfo} from '../../../src/lib/aws/index.js'
import {
  checkGivenParameters,
  parameterProblem,
  resolveParameters,
  Secrets,
  type TemplateParameter,
  templateParameters,
} from '../../../src/lib/deploy/index.js'
import type {UsageError} from '../../../src/lib/errors.js'
import {parseParameterFlags} from '../../../src/lib/project/parameters.js'
import {RecordingOutput} from '../../../src/lib/output.js'

const declared: TemplateParameter[] = templateParameters({
  Parameters: {
    AuthTokenSecret: {Description: 'Secret that clients pass as the `token` query string.', MinLength: 16, NoEcho: true, Type: 'String'},
    LogLevel: {AllowedValues: ['debug', 'info'], Default: 'info', Type: 'String'},
    StageName: {AllowedPattern: '^[A-Za-z0-9_-]{1,128}$', Default: 'v1', Type: 'String'},
    TableName: {Type: 'String'},
  },
  Resources: {},
})

function stack(keys: string[]): StackInfo {
  return {outputs: [], parameters: keys.map((key) => ({key, value: '****'})), stackId: 'arn:stack', stackName: 'chat-v1', status: 'UPDATE_COMPLETE', tags: {}}
}

describe('deploy parameters', () => {
  it('parses --parameter Key=Value, keeping = in values and refusing what is not one', () => {
    assert.deepEqual(parseParameterFlags(['AuthTokenSecret=a=b==c', 'LogLevel=', 'X1=y']), {AuthTokenSecret: 'a=b==c', LogLevel: '', X1: 'y'})
    for (const bad of ['NoEquals', '=value', 'Bad-Key=1']) {
      assert.throws(() => parseParameterFlags([bad]), (error: UsageError) => error.exit === 2 && /^Invalid --parameter .*: write Key=Value/.test(error.message), bad)
    }

    assert.throws(() => parseParameterFlags(['A=1', 'A=2']), /--parameter A is given twice/)
    // A bad pair never echoes its value (it may be a secret).
    assert.throws(() => parseParameterFlags(['bad key=hunter2hunter2hunter2']), (error: Error) => !error.message.includes('hunter2'))
  })

  it('checks keys and constraints before any AWS call, without repeating secrets', () => {
    assert.throws(
      () => checkGivenParameters(declared, {Nope: '1'}),
      (error: UsageError) => error.exit === 2 && error.message === 'Unknown --parameter Nope: template.yaml declares AuthTokenSecret, LogLevel, TableName.',
    )
    assert.throws(() => checkGivenParameters(declared, {StageName: 'prod'}), /--parameter StageName is set by wsapi: use --stage instead\./)
    assert.throws(() => checkGivenParameters(declared, {ArtifactBucket: 'b'}), /--parameter ArtifactBucket is set by wsapi: use --s3-bucket instead\./)
    assert.throws(() => checkGivenParameters(declared, {LogLevel: 'trace'}), /Invalid --parameter LogLevel: "trace" is not one of debug, info\./)
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
    const update = await resolveParameters({declared, existing: stack(['AuthTokenSecret', 'LogLevel', 'StageName', 'TableName']), given: {}, managed: {StageName: 'prod'}})
    assert.deepEqual(update.parameters, [
      {key: 'AuthTokenSecret', usePreviousValue: true},
      {key: 'LogLevel', usePreviousValue: true},
      {key: 'StageName', value: 'prod'},
      {key: 'TableName', usePreviousValue: true},
    ])
    assert.deepEqual(update.secrets, [])

    await assert.rejects(resolveParameters({declared, given: {}, managed: {}}), (error: UsageError) => {
      assert.equal(error.exit, 2)
      assert.equal(error.message, 'Parameter AuthTokenSecret has no value (Secret that clients pass as the `token` query string): set WSAPI_PARAMETER_AuthTokenSecret or pipe it to --parameter-stdin AuthTokenSecret (a --parameter value shows in `ps`), or run in a terminal to be asked.')
      return true
    })
  })

  it('redacts every secret from output, stack activity and errors', () => {
    const secrets = new Secrets()
    secrets.add('s3cr3t-token-value', 's3cr3t', '')
    const output = new RecordingOutput()
    secrets.output(output).info('value s3cr3t-token-value and s3cr3t, twice: s3cr3t')
    assert.equal(output.text(), 'value **** and ****, twice: ****')
    const error = secrets.error(new Error('Parameter value s3cr3t-token-value is invalid'))
    assert.equal(error.message, 'Parameter value **** is invalid')
    const seen: string[] = []
    const listener = secrets.listener({activity: (activity) => seen.push(activity.event.reason ?? ''), start() {}, stop() {}})
    listener.activity({done: 0, elapsedMs: 0, event: {eventId: '1', logicalId: 'A', reason: 'bad token s3cr3t-token-value', resourceType: 'T', stackId: 's', status: 'CREATE_FAILED', timestamp: new Date()}, total: 1})
    assert.deepEqual(seen, ['bad token ****'])
  })
})
