import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {REPO_ROOT} from '../helpers/cli.js'

// `npm run demo` from the README: what it prints must work from where the user typed it (INIT_CWD).
describe('npm run demo', function () {
  this.timeout(90_000)

  it('prints a connect command that works from where it was run, and points at no folder it deletes', async () => {
    const here = join(REPO_ROOT, 'test')
    const demo = spawn(process.execPath, ['scripts/demo.mjs', '--port', '0'], {
      cwd: REPO_ROOT,
      env: {...process.env, INIT_CWD: here, NO_COLOR: '1'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    demo.stdout.on('data', (chunk) => (output += chunk))
    demo.stderr.on('data', (chunk) => (output += chunk))
    const exited = new Promise<null | number>((resolve) => demo.on('close', resolve))
    try {
      const tryIt = await new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = /^Try it, from another terminal here: (.+)$/m.exec(output)
          if (match) resolve(match[1])
        }

        demo.stdout.on('data', check)
        void exited.then(() => reject(new Error(`demo exited before it was ready:\n${output}`)))
      })
      const [node, ...args] = tryIt.split(' ')
      assert.equal(node, 'node')
      assert.deepEqual(args.slice(0, 2), ['../bin/run.js', 'connect'])
      const chat = spawnSync(process.execPath, [...args, '-x', 'hello', '--count', '1'], {
        cwd: here,
        encoding: 'utf8',
        timeout: 30_000,
      })
      assert.equal(chat.status, 0, chat.stderr)
      assert.match(chat.stdout, /hello/)
    } finally {
      demo.kill('SIGINT')
    }

    assert.equal(await exited, 0, output)
    const project = /^Scaffolded a chat project into (.+) \(temporary: deleted when the demo stops\)\.$/m.exec(
      output,
    )?.[1]
    assert.ok(project, output)
    assert.ok(!existsSync(project), 'the temporary project is gone')
    assert.doesNotMatch(output, /Next steps|cd .*wsapi-demo-/)
  })
})
