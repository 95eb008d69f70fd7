import assert from 'node:assert/strict'

import type {UsageError} from '../../../src/lib/errors.js'
import {parseParameterFlags} from '../../../src/lib/project/parameters.js'

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
