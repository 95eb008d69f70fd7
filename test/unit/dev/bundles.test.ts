import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {bundleForDev, sharedPackageAliases} from '../../../src/lib/dev/bundles.js'
import {loadProject} from '../../../src/lib/project/index.js'
import {scaffoldProject} from '../../helpers/project.js'
import {tempDir} from '../../helpers/tmp.js'

describe('dev: bundles', function () {
  this.timeout(60_000)

  it('are written in a folder named by their content, with absolute source-map paths and the sources to watch', async () => {
    const dir = scaffoldProject()
    const fn = loadProject(dir).functions.DefaultFunction
    const source = join(dir, 'src', 'handlers', 'default.ts')
    const out = join(tempDir(), 'bundles')
    const first = await bundleForDev(dir, fn, out)
    const file = fileURLToPath(first.moduleUrl)
    assert.ok(existsSync(file))
    assert.ok(file.startsWith(join(out, 'DefaultFunction')))
    assert.ok(first.inputs.includes(source))
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as {sourceRoot: string; sources: string[]}
    assert.ok(map.sources.includes(source))
    assert.equal(map.sourceRoot, '')
    // The same code keeps its URL; new code gets a new one, so that a fresh import loads it.
    assert.equal((await bundleForDev(dir, fn, out)).moduleUrl, first.moduleUrl)
    writeFileSync(source, 'export const handler = async () => 2\n')
    assert.notEqual((await bundleForDev(dir, fn, out)).moduleUrl, first.moduleUrl)
  })

  it("keep a handler's function names, for readable stack traces", async () => {
    const dir = scaffoldProject()
    writeFileSync(
      join(dir, 'src', 'handlers', 'default.ts'),
      'function namedHelper() { throw new Error("x") }\nexport const handler = async () => namedHelper()\n',
    )
    const bundle = await bundleForDev(dir, loadProject(dir).functions.DefaultFunction, join(tempDir(), 'bundles'))
    assert.match(readFileSync(fileURLToPath(bundle.moduleUrl), 'utf8'), /function namedHelper\(/)
  })

  it("point the packages wsapi shares with handlers at wsapi's copy, unless the project has its own", () => {
    const bare = tempDir()
    assert.ok(sharedPackageAliases(bare)['aws-jwt-verify']?.endsWith(join('node_modules', 'aws-jwt-verify')))
    const own = tempDir()
    mkdirSync(join(own, 'node_modules', 'aws-jwt-verify'), {recursive: true})
    writeFileSync(
      join(own, 'node_modules', 'aws-jwt-verify', 'package.json'),
      JSON.stringify({main: 'index.js', name: 'aws-jwt-verify'}),
    )
    writeFileSync(join(own, 'node_modules', 'aws-jwt-verify', 'index.js'), '')
    assert.deepEqual(sharedPackageAliases(own), {})
  })
})
