import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {PACKAGE_ROOT, RUNTIME_DIR, TEMPLATES_DIR, wsapiPackage} from '../../src/lib/paths.js'

describe('paths', () => {
  it("the package root is wsapi's own folder, with its templates and runtime beside src/", () => {
    assert.equal(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).name, 'wsapi-cli')
    assert.equal(TEMPLATES_DIR, join(PACKAGE_ROOT, 'templates'))
    assert.equal(RUNTIME_DIR, join(PACKAGE_ROOT, 'runtime'))
    assert.ok(existsSync(join(PACKAGE_ROOT, 'src', 'lib', 'paths.ts')))
    assert.ok(existsSync(TEMPLATES_DIR) && existsSync(RUNTIME_DIR))
  })

  it('wsapiPackage() reads package.json once: name, version and the dependency ranges', () => {
    const own = wsapiPackage()
    assert.equal(own.name, 'wsapi-cli')
    assert.match(own.version, /^\d+\.\d+\.\d+/)
    assert.equal(
      own.dependencies?.esbuild,
      JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).dependencies.esbuild,
    )
    assert.equal(wsapiPackage(), own, 'the same object: read once')
  })
})
