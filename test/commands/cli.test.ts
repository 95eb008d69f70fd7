import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {closestCommand} from '../../src/ui/hooks/command-not-found.js'
import {REPO_ROOT, runCli} from '../helpers/cli.js'

interface Manifest {
  commands: Record<string, {flags: Record<string, {char?: string; name: string}>}>
}

describe('the wsapi command line', function () {
  this.timeout(30_000)

  it('gives each short flag one meaning across commands', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as Manifest
    const meanings = new Map<string, Set<string>>()
    for (const command of Object.values(manifest.commands)) {
      for (const flag of Object.values(command.flags)) {
        if (flag.char) meanings.set(flag.char, new Set([...(meanings.get(flag.char) ?? []), flag.name]))
      }
    }

    const ambiguous = [...meanings]
      .filter(([, names]) => names.size > 1)
      .map(([char, names]) => `-${char}: ${[...names].join(', ')}`)
    assert.deepEqual(ambiguous, [])
    assert.deepEqual([...meanings.get('s')!], ['stage'])
  })

  it('`wsapi --version` names the command, wsapi, not the npm package', async () => {
    const {version} = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {version: string}
    const result = await runCli(['--version'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, `wsapi/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
  })

  it('`wsapi help init` prints the help of init', async () => {
    const [help, flag] = await Promise.all([runCli(['help', 'init']), runCli(['init', '--help'])])
    assert.equal(help.code, 0, help.stderr)
    assert.equal(help.stdout, flag.stdout)
    assert.match(help.stdout, /^Create a WebSocket API project/)
    const root = await runCli(['help'])
    assert.equal(root.code, 0, root.stderr)
    assert.match(root.stdout, /COMMANDS\n/)
  })

  it('an unknown command is one Error line with the closest command, exit 2', async () => {
    const typo = await runCli(['deplyo', '--yes'])
    assert.equal(typo.code, 2)
    assert.equal(typo.stdout, '')
    assert.equal(
      typo.stderr,
      'Error: Unknown command "deplyo": did you mean `wsapi deploy`? (`wsapi --help` lists the commands)\n',
    )
    const unrelated = await runCli(['foo'])
    assert.equal(unrelated.code, 2)
    assert.equal(
      unrelated.stderr,
      'Error: Unknown command "foo": the commands are bench, build, connect, connections, connections drop, connections post, deploy, destroy, dev, init, logs, route add, route list, route remove, status, token (`wsapi --help` describes them).\n',
    )
    const helpOfNothing = await runCli(['help', 'dve'])
    assert.equal(helpOfNothing.code, 2)
    assert.match(helpOfNothing.stderr, /^Error: Unknown command "dve": did you mean `wsapi dev`\?/)
  })

  it('suggests by prefix or by a few edits, and nothing far off', () => {
    const commands = ['bench', 'build', 'connect', 'deploy', 'destroy', 'dev', 'init', 'status']
    assert.equal(closestCommand('conn', commands), 'connect')
    assert.equal(closestCommand('stauts', commands), 'status')
    assert.equal(closestCommand('destory', commands), 'destroy')
    assert.equal(closestCommand('xyzzy', commands), undefined)
  })

  it('lines up every flag in --help, a first flag without a short form too', async () => {
    for (const command of ['init', 'dev', 'connect', 'bench', 'deploy']) {
      const {stdout} = await runCli([command, '--help'])
      const flags = stdout.slice(stdout.indexOf('FLAGS\n') + 6, stdout.indexOf('\n\n', stdout.indexOf('FLAGS\n')))
      const columns = flags
        .split('\n')
        .filter((line) => /^ {0,6}(-\w, )?--/.test(line)) // a flag's own line, not a wrapped description
        .map((line) => line.indexOf('--'))
      assert.ok(columns.length > 1, stdout)
      assert.deepEqual(new Set(columns), new Set([6]), `${command} --help:\n${flags}`)
    }
  })
})
