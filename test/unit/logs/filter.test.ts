import assert from 'node:assert/strict'

import {UsageError} from '../../../src/lib/errors.js'
import {lineMatcher} from '../../../src/lib/logs/filter.js'

describe('logs --filter: CloudWatch filter patterns for the lines of wsapi dev', () => {
  const lines = [
    'ERROR timed out after 3 s',
    'INFO sent 3',
    'WARN slow',
    '{"level":"ERROR","ms":120,"route":"sendmessage"}',
  ]
  const matching = (pattern: string | undefined) => lines.filter((line) => lineMatcher(pattern)(line))

  it('terms, phrases, ?any, -exclude, %regex%, case sensitive; an empty pattern matches every line', () => {
    assert.deepEqual(matching(undefined), lines)
    assert.deepEqual(matching('  '), lines)
    assert.deepEqual(matching('ERROR'), [lines[0], lines[3]])
    assert.deepEqual(matching('ERROR timed'), [lines[0]], 'every term must occur')
    assert.deepEqual(matching('"timed out"'), [lines[0]])
    assert.deepEqual(matching('"out timed"'), [], 'a phrase is one string, in order')
    assert.deepEqual(matching('?WARN ?INFO'), [lines[1], lines[2]])
    assert.deepEqual(matching('ERROR -timed'), [lines[3]])
    assert.deepEqual(matching('-"timed out"'), [lines[1], lines[2], lines[3]])
    assert.deepEqual(matching('%sent \\d%'), [lines[1]])
    assert.deepEqual(matching('%^W%'), [lines[2]])
    assert.deepEqual(matching('error'), [], 'case sensitive')
  })

  it('JSON patterns: =, !=, <, >, wildcards, && and ||; a line that is not JSON never matches', () => {
    assert.deepEqual(matching('{ $.level = "ERROR" && $.ms > 100 }'), [lines[3]])
    assert.deepEqual(matching('{ $.route = "send*" }'), [lines[3]])
    assert.deepEqual(matching('{ $.ms < 100 || $.level = "WARN" }'), [])
    assert.deepEqual(matching('{ $.ms >= 120 }'), [lines[3]])
    assert.deepEqual(matching('{ $.ms <= 119 }'), [])
    assert.deepEqual(matching('{ $.ms = 120 }'), [lines[3]])
    assert.deepEqual(matching('{ $.level != "INFO" }'), [lines[3]])
    assert.deepEqual(matching('{ $.missing != "x" }'), [], 'a field that is absent is not "different"')
    const nested = lineMatcher('{ $.user.tags[1] = "b" && $.ok = TRUE && $.gone = NULL }')
    assert.ok(nested('{"user":{"tags":["a","b"]},"ok":true,"gone":null}'))
    assert.ok(!nested('{"user":{"tags":["b","a"]},"ok":true,"gone":null}'))
    assert.ok(!nested('{"user":{"tags":["a","b"]},"ok":false,"gone":null}'))
  })

  it('what it cannot read is a usage error that says what to write', () => {
    const refuses = (pattern: string, message: RegExp) =>
      assert.throws(
        () => lineMatcher(pattern),
        (error: unknown) =>
          error instanceof UsageError &&
          error.exit === 2 &&
          error.code === 'INVALID_FILTER' &&
          message.test(error.message),
        pattern,
      )
    refuses('[ip, user]', /^Space-delimited filter patterns \(\[…\]\) work only against CloudWatch Logs/)
    refuses('%(unclosed%', /^Invalid --filter: %\(unclosed% is not a valid regular expression\.$/)
    refuses(
      '{ level = 1 }',
      /^Invalid --filter: cannot read "level = 1"; write JSON patterns as \{ \$\.field = value \}\.$/,
    )
    refuses('{ ($.a = 1) }', /parentheses in JSON patterns are not supported here/)
  })
})
