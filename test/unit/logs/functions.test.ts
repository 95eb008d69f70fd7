import assert from 'node:assert/strict'

import {UsageError} from '../../../src/lib/errors.js'
import {type LogFunction, projectFunctions, selectFunctions, shortName} from '../../../src/lib/logs/functions.js'
import type {ProjectModel} from '../../../src/lib/project/index.js'

describe('logs: the functions of a project', () => {
  const all: LogFunction[] = [
    {logicalId: 'ConnectFunction', name: 'connect', routes: ['$connect']},
    {logicalId: 'SendmessageFunction', name: 'sendmessage', routes: ['sendmessage']},
    {logicalId: 'AuthorizerFunction', name: 'authorizer', routes: []},
  ]

  it('short names: the logical id without "Function", lower case', () => {
    assert.equal(shortName('SendmessageFunction'), 'sendmessage')
    assert.equal(shortName('Function'), 'function', 'nothing left: the id itself')
    assert.equal(shortName('Broadcaster'), 'broadcaster')
  })

  it("the template's functions with the routes each handles, authorizers included", () => {
    const project = {
      functions: {AuthorizerFunction: {}, ConnectFunction: {}, DefaultFunction: {}},
      routes: [
        {functionId: 'ConnectFunction', key: '$connect'},
        {functionId: 'DefaultFunction', key: '$default'},
        {functionId: 'DefaultFunction', key: 'echo'},
      ],
    } as unknown as ProjectModel
    assert.deepEqual(projectFunctions(project), [
      {logicalId: 'AuthorizerFunction', name: 'authorizer', routes: []},
      {logicalId: 'ConnectFunction', name: 'connect', routes: ['$connect']},
      {logicalId: 'DefaultFunction', name: 'default', routes: ['$default', 'echo']},
    ])
  })

  it('names by short name, logical id or route key with or without $, any case; each once, in the order named', () => {
    assert.deepEqual(selectFunctions(all, []), all)
    assert.deepEqual(
      selectFunctions(all, ['SENDMESSAGE', 'CONNECT', '$connect', 'ConnectFunction']).map((fn) => fn.name),
      ['sendmessage', 'connect'],
    )
    assert.deepEqual(
      selectFunctions(all, ['authorizerfunction']).map((fn) => fn.name),
      ['authorizer'],
    )
  })

  it('an unknown name is a usage error listing the choices', () => {
    assert.throws(
      () => selectFunctions(all, ['x']),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === 'UNKNOWN_FUNCTION' &&
        error.message ===
          'No function "x" in this project: name one of connect ($connect), sendmessage (sendmessage), authorizer, by short name, logical id or route key.',
    )
    assert.throws(() => selectFunctions([], ['x']), /name one of \(none\)/)
  })
})
