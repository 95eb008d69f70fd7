import assert from 'node:assert/strict'
import {existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {linkAwsSdk} from '../../../src/lib/dev/sdk-links.js'
import {tempDir} from '../../helpers/tmp.js'

describe('dev: AWS SDK links', () => {
  it("link each SDK package the project lacks to wsapi's copy", () => {
    const project = tempDir()
    const modules = join(project, '.wsapi', 'dev', 'node_modules')
    const linked = linkAwsSdk(modules, project)
    assert.ok(linked.includes('client-dynamodb'))
    assert.ok(lstatSync(join(modules, '@aws-sdk', 'client-dynamodb')).isSymbolicLink())
    assert.ok(existsSync(join(modules, '@aws-sdk', 'client-dynamodb', 'package.json')))
    assert.deepEqual(readdirSync(join(modules, '@aws-sdk')).sort(), [...linked].sort())
  })

  it("leave out the packages the project has its own copy of, so that the project's wins", () => {
    const project = tempDir()
    const own = join(project, 'node_modules', '@aws-sdk', 'client-dynamodb')
    mkdirSync(own, {recursive: true})
    writeFileSync(
      join(own, 'package.json'),
      JSON.stringify({main: 'index.js', name: '@aws-sdk/client-dynamodb', version: '3.0.0'}),
    )
    writeFileSync(join(own, 'index.js'), '')
    const modules = join(project, '.wsapi', 'dev', 'node_modules')
    const linked = linkAwsSdk(modules, project)
    assert.equal(linked.includes('client-dynamodb'), false)
    assert.ok(linked.includes('client-apigatewaymanagementapi'))
    assert.equal(existsSync(join(modules, '@aws-sdk', 'client-dynamodb')), false)
  })
})
