import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, readFileSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'

import {REPO_ROOT} from '../helpers/cli.js'
import {tempDir} from '../helpers/tmp.js'

// `npm install -g .` / `npm link` users get what `files` in package.json ships: check the packed CLI works.
describe('the published package', function () {
  this.timeout(120_000)

  it('holds everything the CLI needs: init, build and --help work from the packed files', () => {
    const out = tempDir()
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      }),
    ) as Array<{filename: string; files: Array<{path: string}>}>
    const files = packed.files.map((file) => file.path)
    for (const required of [
      'bin/run.js',
      'oclif.manifest.json',
      'dist/src/commands/init.js',
      'dist/src/lib/dev/index.js',
      'templates/project/template.yaml.hbs',
      'runtime/broadcast.ts',
      'README.md',
    ]) {
      assert.ok(files.includes(required), `${required} is not packed`)
    }

    // Every entry point package.json names is packed (a `main` pointing at nothing breaks `import 'wsapi-cli'` obscurely).
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      bin?: Record<string, string>
      main?: string
      types?: string
    }
    for (const entry of [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})]) {
      if (entry !== undefined)
        assert.ok(files.includes(entry.replace(/^\.\//, '')), `package.json names ${entry}, which is not packed`)
    }

    assert.ok(
      !files.some((file) => file.startsWith('test/') || file.startsWith('src/') || file.startsWith('.wsapi/')),
      'no sources, tests or local state are packed',
    )

    execFileSync('tar', ['-xzf', join(out, packed.filename), '-C', out])
    const installed = join(out, 'package')
    // The dependencies as npm would install them next to it.
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(installed, 'node_modules'))
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(installed, 'bin', 'run.js'), ...args], {
        cwd: out,
        encoding: 'utf8',
        env: {...process.env, NO_COLOR: '1'},
      })

    assert.match(run('--version').stdout, /^wsapi\/\d+\.\d+\.\d+ \S+ node-v/)
    assert.match(run('--help').stdout, /init +Create a WebSocket API project/)
    const init = run('init', 'chat', '--yes')
    assert.equal(init.status, 0, init.stderr)
    const build = run('build', '--dir', 'chat')
    assert.equal(build.status, 0, build.stderr)
    assert.ok(existsSync(join(out, 'chat', '.wsapi', 'build', 'template.json')))
  })
})
