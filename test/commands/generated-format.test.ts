import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {formatPlan, planProject, type RawInitOptions, resolveInitOptions} from '../../src/lib/scaffold/index.js'
import {REPO_ROOT, runCli} from '../helpers/cli.js'
import {tempDir} from '../helpers/tmp.js'

const PRETTIER = join(REPO_ROOT, 'node_modules', '.bin', 'prettier')

const VARIANTS: Array<[string, RawInitOptions]> = [
  ['the defaults', {}],
  ['--auth token', {auth: 'token'}],
  ['several routes, no $default', {defaultRoute: false, routes: 'sendmessage,join,chat/leave'}],
  [
    'a templated selection expression',
    {routeSelection: '${request.body.service}/${request.body.action}', routes: 'chat/send,chat/join'},
  ],
  ['an attribute that is no identifier, another table variable', {idAttribute: 'conn-id', tableEnv: 'TABLE_NAME'}],
  ['provisioned billing, x86', {arch: 'x86_64', billing: 'provisioned', readCapacity: 7}],
]

function write(dir: string, files: Array<{contents: string; path: string}>): void {
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), {recursive: true})
    writeFileSync(join(dir, file.path), file.contents)
  }
}

function prettierCheck(dir: string) {
  return spawnSync(PRETTIER, ['--check', '.'], {cwd: dir, encoding: 'utf8'})
}

// The generated project must read as if a careful person wrote it: what templating leaves behind (quotes of
// JSON literals, `{{…}} }` spacing, computed keys) is formatted away, and `npm run format:check` passes.
describe('the generated project is formatted', function () {
  this.timeout(120_000)

  for (const [name, options] of VARIANTS) {
    it(`passes prettier --check with its own .prettierrc.json: ${name}`, async () => {
      const dir = tempDir()
      const plan = await formatPlan(planProject(resolveInitOptions({name: 'chat', ...options})))
      write(dir, plan.files)
      const check = prettierCheck(dir)
      assert.equal(check.status, 0, `${check.stdout}\n${check.stderr}`)
      for (const file of plan.files.filter((candidate) => candidate.path.endsWith('.ts'))) {
        assert.doesNotMatch(file.contents, /\[(['"])[\w-]+\1\]:/, `${file.path}: a computed key holding a literal`)
        assert.doesNotMatch(file.contents, /process\.env\[/, `${file.path}: process.env["NAME"]`)
        assert.doesNotMatch(file.contents, /\} \}/, `${file.path}: template spacing`)
      }
    })
  }

  it('an attribute that is an identifier is a plain key, any other a quoted one', async () => {
    const test = (idAttribute: string) =>
      planProject(resolveInitOptions({idAttribute, name: 'chat'})).files.find(
        (file) => file.path === 'test/connect.test.ts',
      )!.contents
    assert.match(test('connectionId'), /^ {8}connectionId: \{S: 'NewConnection01='\},$/m)
    assert.match(test('conn-id'), /^ {8}"conn-id": \{S: 'NewConnection01='\},$/m)
  })

  it('wsapi init writes it formatted, with format and format:check scripts', async () => {
    const cwd = tempDir()
    const init = await runCli(['init', 'chat', '--yes', '--auth', 'token', '--routes', 'sendmessage,join'], {cwd})
    assert.equal(init.code, 0, init.stderr)
    const dir = join(cwd, 'chat')
    const check = prettierCheck(dir)
    assert.equal(check.status, 0, `${check.stdout}\n${check.stderr}`)
    const project = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>
      scripts: Record<string, string>
    }
    assert.equal(project.scripts['format:check'], 'prettier --check .')
    assert.equal(project.scripts.format, 'prettier --write .')
    assert.ok(project.devDependencies.prettier)
  })
})
