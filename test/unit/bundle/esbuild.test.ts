import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {AWS_SDK_EXTERNALS, bundleHandler, esbuildTarget, formatBuildErrors} from '../../../src/lib/bundle/esbuild.js'
import {WsapiError} from '../../../src/lib/errors.js'
import {tempDir} from '../../helpers/tmp.js'

function project(files: Record<string, string>): string {
  const dir = tempDir()
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), {recursive: true})
    writeFileSync(join(dir, path), contents)
  }

  return dir
}

describe('bundle: esbuild', () => {
  it('targets the Node version of the runtime; another runtime is a usage error', () => {
    assert.equal(esbuildTarget('nodejs22.x'), 'node22')
    assert.equal(esbuildTarget('nodejs20.x'), 'node20')
    for (const runtime of ['python3.12', 'nodejs', 'nodejs22']) {
      assert.throws(
        () => esbuildTarget(runtime),
        (error: unknown) =>
          error instanceof WsapiError &&
          error.exit === 2 &&
          error.message === `Unsupported runtime ${runtime}: use a nodejsNN.x runtime such as nodejs22.x.`,
      )
    }
  })

  it('build errors: one line each, file:line:column (1-based) when esbuild knows where', () => {
    assert.equal(
      formatBuildErrors([
        {
          location: {column: 3, file: 'src/handlers/x.ts', line: 12, lineText: '  }'},
          text: 'Expected ";" but found "}"',
        },
        {location: null, text: 'Could not resolve "nope"'},
      ]),
      'src/handlers/x.ts:12:4: error: Expected ";" but found "}"\nerror: Could not resolve "nope"',
    )
  })

  it('bundles a handler as Lambda loads it: one ESM index.mjs with its imports inlined, @aws-sdk/* left to the runtime, a linked map', async () => {
    const dir = project({
      'src/handlers/connect.ts':
        "import {greet} from '../lib/greet.js'\nimport {DynamoDBClient} from '@aws-sdk/client-dynamodb'\nexport const handler = async () => ({body: greet(String(DynamoDBClient.name)), statusCode: 200})\n",
      'src/lib/greet.ts': 'export function greet(name: string): string {\n  return `hello ${name}`\n}\n',
    })
    const output = await bundleHandler({
      entry: join(dir, 'src/handlers/connect.ts'),
      projectDir: dir,
      runtime: 'nodejs22.x',
    })
    const code = output.code.toString()
    assert.equal(output.outputName, 'index.mjs')
    assert.match(code, /from"@aws-sdk\/client-dynamodb"/, 'the SDK stays an import')
    assert.match(code, /hello /, 'the local import is inlined')
    // A `require` for bundled CommonJS dependencies, which Node's ESM lacks.
    assert.ok(
      code.startsWith(
        "import {createRequire as __wsapiCreateRequire} from 'node:module';const require=__wsapiCreateRequire(import.meta.url);\n",
      ),
      code,
    )
    assert.match(code, /\/\/# sourceMappingURL=index\.mjs\.map\s*$/)
    const map = JSON.parse(output.map.toString()) as {sources: string[]; sourcesContent?: unknown}
    assert.deepEqual(map.sources.map((source) => source.replace(/^(\.\.\/)+/, '')).sort(), [
      'src/handlers/connect.ts',
      'src/lib/greet.ts',
    ])
    assert.equal(map.sourcesContent, undefined, 'no source text in the map')
    assert.deepEqual(output.inputs.sort(), ['src/handlers/connect.ts', 'src/lib/greet.ts'])
    assert.deepEqual(AWS_SDK_EXTERNALS, ['@aws-sdk/*'])
  })

  it("keepNames keeps the handler's own function names; minified otherwise", async () => {
    const dir = project({
      'src/handlers/a.ts':
        'function buildReplyForTheCaller(x: number) { return x + 1 }\nexport const handler = async () => buildReplyForTheCaller(1)\n',
    })
    const entry = join(dir, 'src/handlers/a.ts')
    assert.match(
      (await bundleHandler({entry, keepNames: true, projectDir: dir, runtime: 'nodejs22.x'})).code.toString(),
      /buildReplyForTheCaller/,
    )
    assert.doesNotMatch(
      (await bundleHandler({entry, projectDir: dir, runtime: 'nodejs22.x'})).code.toString(),
      /buildReplyForTheCaller/,
    )
  })

  it('a syntax error or a missing import is a WsapiError listing where, relative to the project', async () => {
    const dir = project({
      'src/handlers/bad.ts': "import {x} from './missing.js'\nexport const handler = async () => {\n  return x +\n}\n",
    })
    await assert.rejects(
      bundleHandler({entry: join(dir, 'src/handlers/bad.ts'), projectDir: dir, runtime: 'nodejs22.x'}),
      (error: unknown) =>
        error instanceof WsapiError &&
        error.code === 'BUILD_FAILED' &&
        /^src\/handlers\/bad\.ts:4:1: error: Unexpected "}"$/m.test(error.message),
    )
    const missing = project({
      'src/handlers/m.ts': "import {x} from './missing.js'\nexport const handler = async () => x\n",
    })
    await assert.rejects(
      bundleHandler({entry: join(missing, 'src/handlers/m.ts'), projectDir: missing, runtime: 'nodejs22.x'}),
      (error: unknown) =>
        error instanceof WsapiError &&
        /^src\/handlers\/m\.ts:1:17: error: Could not resolve "\.\/missing\.js"$/.test(error.message),
    )
  })
})
