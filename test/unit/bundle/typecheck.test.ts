import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {typeCheckHandlers} from '../../../src/lib/bundle/typecheck.js'
import {tempDir} from '../../helpers/tmp.js'

function project(files: Record<string, string>): string {
  const dir = tempDir()
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), {recursive: true})
    writeFileSync(join(dir, path), contents)
  }

  return dir
}

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    noEmit: true,
    skipLibCheck: true,
    strict: true,
    target: 'ES2022',
  },
  include: ['src'],
})

describe('bundle: type-checking the handlers', function () {
  // The compiler loads Node's declarations for each program: seconds on a busy machine.
  this.timeout(120_000)

  // The AWS SDK's declarations resolving from wsapi's own node_modules is checked on a generated project by
  // test/commands/build.test.ts (loading them takes seconds); two programs here keep this file short.
  it("reports type errors file:line:column relative to the project with their TS code, under the project's tsconfig; wsapi's TypeScript without an npm install", () => {
    const dir = project({
      'package.json': '{"type":"module"}',
      'src/handlers/connect.ts':
        "import {randomUUID} from 'node:crypto'\nimport {greet} from '../lib/greet.js'\nexport const handler = async (): Promise<{statusCode: number; body: string}> => ({body: greet(randomUUID()), statusCode: 200})\n",
      'src/handlers/connect.test.ts': "describe('not a root', () => it('x', () => undefined))\n",
      'src/handlers/send.ts':
        'export const handler = async (event: {body?: string}) => {\n  const size: number = event.body\n  return {statusCode: size}\n}\n',
      'src/lib/greet.ts': 'export const greet = (name: string): string => `hi ${name}`\n',
      'tsconfig.json': TSCONFIG,
    })
    const result = typeCheckHandlers(dir, [join(dir, 'src/handlers/connect.ts'), join(dir, 'src/handlers/send.ts')])
    assert.equal(result.errors.length, 1, result.errors.join('\n'))
    // One line: the compiler's chained explanation is joined on it.
    assert.match(
      result.errors[0],
      /^src\/handlers\/send\.ts:2:9: error: Type 'string \| undefined' is not assignable to type 'number'\.\s+Type 'undefined' is not assignable to type 'number'\. \(TS2322\)$/,
    )
    assert.equal(result.files, 3, 'the handlers and what they import, not the test file')
    assert.equal(result.typescript, 'wsapi')
    assert.match(result.version, /^\d+\.\d+/)
  })

  it('a tsconfig.json that does not parse is an error itself, and strict NodeNext defaults apply meanwhile', () => {
    const dir = project({
      'package.json': '{"type":"module"}',
      'src/h.ts': 'export const handler = async (event) => event\n',
      'tsconfig.json': '{"compilerOptions": ',
    })
    const {errors} = typeCheckHandlers(dir, [join(dir, 'src/h.ts')])
    assert.equal(errors.length, 2, errors.join('\n'))
    assert.match(errors[0], /^tsconfig\.json:1:\d+: error: .* \(TS\d+\)$/)
    assert.equal(errors[1], "src/h.ts:1:31: error: Parameter 'event' implicitly has an 'any' type. (TS7006)")
  })
})
