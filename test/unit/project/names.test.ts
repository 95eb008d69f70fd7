import assert from 'node:assert/strict'

import {
  parseRouteList,
  pascalCase,
  stackNameFromDirectory,
  validateAttributeName,
  validateEnvVarName,
  validateInteger,
  validateRouteKey,
  validateStackName,
  validateStage,
} from '../../../src/lib/project/names.js'

function rejects(fn: () => unknown, value: string) {
  assert.throws(fn, (error: Error & {exit?: number}) => {
    assert.equal(error.exit, 2)
    assert.ok(error.message.includes(JSON.stringify(value)), `${error.message} should name ${value}`)
    return true
  })
}

describe('names', () => {
  it('accepts CloudFormation stack names and rejects others', () => {
    for (const ok of ['chat', 'A', 'my-app-2', 'x'.repeat(128)]) assert.equal(validateStackName(ok), ok)
    for (const bad of ['', '1chat', 'my_app', 'has space', '-x', 'x'.repeat(129), 'chat!'])
      rejects(() => validateStackName(bad), bad)
  })

  it('derives a stack name from a folder name', () => {
    assert.equal(stackNameFromDirectory('my_app 2'), 'my-app-2')
    assert.equal(stackNameFromDirectory('2023-chat'), 'chat')
    assert.equal(stackNameFromDirectory('___'), undefined)
    assert.equal(stackNameFromDirectory('Ünïcode café'), 'Unicode-cafe')
  })

  it('accepts stage names API Gateway accepts', () => {
    for (const ok of ['v1', 'prod_2', 'dev-x', 'x'.repeat(128)]) assert.equal(validateStage(ok), ok)
    for (const bad of ['', 'v 1', 'v.1', 'x'.repeat(129), 'ü']) rejects(() => validateStage(bad), bad)
  })

  it('rejects route keys starting with $ and odd characters', () => {
    for (const ok of ['sendmessage', 'chat/join', 'a.b', '5']) assert.equal(validateRouteKey(ok), ok)
    for (const bad of ['$default', '$connect', 'has space', "it's", 'a{b}', '-x'])
      rejects(() => validateRouteKey(bad), bad)
  })

  it('rejects "*" in a route key: it would widen the Lambda permission\'s SourceArn', () => {
    for (const bad of ['*', 'chat*', 'a*b', 'chat/*']) {
      assert.throws(
        () => validateRouteKey(bad),
        (error: Error & {exit?: number}) =>
          error.exit === 2 &&
          /"\*" is not allowed in a route key: .*SourceArn/.test(error.message) &&
          !error.message.includes('\n'),
      )
    }

    assert.throws(() => parseRouteList('sendmessage,chat*'), /"\*" is not allowed/)
  })

  it('parses route lists: trimmed, no empties, no duplicates', () => {
    assert.deepEqual(parseRouteList(' sendmessage , join '), ['sendmessage', 'join'])
    assert.deepEqual(parseRouteList(''), [])
    rejects(() => parseRouteList('a,,b'), 'a,,b')
    rejects(() => parseRouteList('a,b,a'), 'a,b,a')
    rejects(() => parseRouteList('a,$x'), '$x')
  })

  it('rejects reserved and invalid environment variable names', () => {
    assert.equal(validateEnvVarName('CONNECTIONS_TABLE'), 'CONNECTIONS_TABLE')
    for (const bad of ['1X', 'A-B', 'AWS_REGION', 'NODE_OPTIONS', '']) rejects(() => validateEnvVarName(bad), bad)
  })

  it('rejects attributes the handlers already use', () => {
    assert.equal(validateAttributeName('connectionId'), 'connectionId')
    for (const bad of ['expiresAt', 'connectedAt', '1x', 'a b']) rejects(() => validateAttributeName(bad), bad)
  })

  it('checks integer ranges', () => {
    assert.equal(validateInteger('256', 'memory', 128, 10_240), 256)
    for (const bad of ['12', '1.5', 'abc', '99999']) rejects(() => validateInteger(bad, 'memory', 128, 10_240), bad)
  })

  it('makes logical-id stems', () => {
    assert.equal(pascalCase('sendmessage'), 'Sendmessage')
    assert.equal(pascalCase('chat/join-room'), 'ChatJoinRoom')
    assert.equal(pascalCase('5'), 'R5')
  })
})
