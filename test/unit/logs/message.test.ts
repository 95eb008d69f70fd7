import assert from 'node:assert/strict'

import {compactJson, parseLambdaMessage} from '../../../src/lib/logs/message.js'

describe('logs: Lambda log lines', () => {
  it('the text format loses its prefix and keeps level and request id; JSON in it goes on one line', () => {
    assert.deepEqual(parseLambdaMessage('2026-12-04T06:00:00.030Z\t5f1e-aa\tWARN\t{\n  "slow": true\n}\n'), {
      level: 'WARN',
      message: '{"slow":true}',
      requestId: '5f1e-aa',
    })
    assert.deepEqual(parseLambdaMessage('2026-12-04T06:00:00.030Z\tundefined\tINFO\tcold start\n'), {
      level: 'INFO',
      message: 'cold start',
      requestId: undefined,
    })
    // A word that is not a level keeps the line whole.
    assert.deepEqual(parseLambdaMessage('2026-12-04T06:00:00.030Z\tr1\tHELLO\tx'), {
      message: '2026-12-04T06:00:00.030Z\tr1\tHELLO\tx',
    })
  })

  it('the JSON format: level upper-cased, timestamp and type dropped, other fields kept after the message', () => {
    assert.deepEqual(
      parseLambdaMessage(
        '{"timestamp":"2026-12-04T06:00:00Z","level":"INFO","requestId":"r1","message":"hi","extra":1}',
      ),
      {level: 'INFO', message: 'hi {"extra":1}', requestId: 'r1'},
    )
    assert.deepEqual(parseLambdaMessage('{"level":"warn","message":{"a":1},"type":"app"}'), {
      level: 'WARN',
      message: '{"a":1}',
      requestId: undefined,
    })
    assert.deepEqual(
      parseLambdaMessage('{"level":"NOTICE","message":"m"}'),
      {message: '{"level":"NOTICE","message":"m"}'},
      'an unknown level is not a Lambda record',
    )
  })

  it("the runtime's own lines and other text stay as they are, without the trailing line break", () => {
    assert.deepEqual(parseLambdaMessage('{ "a": [1, 2] }\n'), {message: '{"a":[1,2]}'})
    assert.deepEqual(parseLambdaMessage('END RequestId: r1\n'), {message: 'END RequestId: r1'})
    assert.deepEqual(parseLambdaMessage('{broken\r\n'), {message: '{broken'})
  })

  it('compactJson puts JSON objects and arrays on one line and leaves other text alone', () => {
    assert.equal(compactJson(' [1,\n 2] '), '[1,2]')
    assert.equal(compactJson('{not json'), '{not json')
    assert.equal(compactJson('{not json}\n'), '{not json}')
    assert.equal(compactJson('two\nlines\n'), 'two\nlines')
  })
})
