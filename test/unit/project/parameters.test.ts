import assert from 'node:assert/strict'

import type {UsageError} from '../../../src/lib/errors.js'
import {parameterValues, parseParameterFlags} from '../../../src/lib/project/parameters.js'

describe('project: --parameter flags', () => {
  it('parses --parameter Key=Value, keeping = in values and refusing what is not one', () => {
    assert.deepEqual(parseParameterFlags(['AuthTokenSecret=a=b==c', 'LogLevel=', 'X1=y']), {
      AuthTokenSecret: 'a=b==c',
      LogLevel: '',
      X1: 'y',
    })
    for (const bad of ['NoEquals', '=value', 'Bad-Key=1']) {
      assert.throws(
        () => parseParameterFlags([bad]),
        (error: UsageError) => error.exit === 2 && /^Invalid --parameter .*: write Key=Value/.test(error.message),
        bad,
      )
    }

    assert.throws(() => parseParameterFlags(['A=1', 'A=2']), /--parameter A is given twice/)
    // A bad pair never echoes its value (it may be a secret).
    assert.throws(
      () => parseParameterFlags(['bad key=hunter2hunter2hunter2']),
      (error: Error) => !error.message.includes('hunter2'),
    )
  })

  it('none given is no parameters', () => {
    assert.deepEqual(parseParameterFlags(), {})
    assert.deepEqual(parseParameterFlags([]), {})
  })
})

describe('project: parameter values in effect', () => {
  const declared = {
    Level: {Default: 'info', Type: 'String'},
    Secret: {Type: 'String'},
    Size: {Default: 3, Type: 'Number'},
  }

  it("takes the template's defaults, then the environment's values, then the overrides", () => {
    assert.deepEqual(parameterValues('template.yaml', declared, {}), {Level: 'info', Size: '3'})
    assert.deepEqual(parameterValues('template.yaml', declared, {Level: 'debug'}, {Level: 'warn', Secret: 's'}), {
      Level: 'debug',
      Secret: 's',
      Size: '3',
    })
    assert.deepEqual(parameterValues('template.yaml', declared, {}, {Other: 'ignored'}), {Level: 'info', Size: '3'})
  })

  it('refuses an override the template does not declare, naming those it does', () => {
    assert.throws(
      () => parameterValues('template.yaml', declared, {Nope: 'x'}),
      /^UsageError: Unknown parameter "Nope": template\.yaml declares Level, Secret, Size\.$/,
    )
    assert.throws(() => parameterValues('t.yaml', undefined, {A: '1'}), /t\.yaml declares no parameters\./)
  })
})
