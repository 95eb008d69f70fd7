import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'

import {planProject, resolveInitOptions} from '../../src/lib/scaffold/index.js'
import {BIN, runCli} from '../helpers/cli.js'
import {DevProcess} from '../helpers/dev.js'
import {PtySession} from '../helpers/pty.js'
import {tempDir} from '../helpers/tmp.js'

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()
}

// What init writes with --yes is what the plan says (whose file list test/unit/scaffold/plan.test.ts pins).
const DEFAULT_FILES = planProject(resolveInitOptions({name: 'chat'})).files.map((file) => file.path)

describe('wsapi init', function () {
  this.timeout(60_000)

  it('writes the project with --yes, prints next steps, and refuses a second run without --force', async () => {
    const cwd = tempDir()
    const first = await runCli(['init', 'chat', '--yes'], {cwd})
    assert.equal(first.code, 0, first.stderr)
    assert.deepEqual(filesUnder(join(cwd, 'chat')), DEFAULT_FILES)
    assert.match(first.stdout, /Next steps:\n {2}cd chat\n {2}wsapi dev/)
    const comments = first.stdout
      .split('\n')
      .filter((line) => line.includes(' # '))
      .map((line) => line.indexOf('#'))
    assert.equal(comments.length, 4)
    assert.equal(new Set(comments).size, 1, `the next steps' comments line up:\n${first.stdout}`)
    const template = readFileSync(join(cwd, 'chat/template.yaml'), 'utf8')
    assert.match(template, /project: "chat"/)
    assert.match(template, /Default: "v1"/)

    writeFileSync(join(cwd, 'chat/notes.txt'), 'mine')
    const second = await runCli(['init', 'chat', '--yes'], {cwd})
    assert.equal(second.code, 2)
    assert.match(second.stderr, /^Error: .*chat is not empty .*--force/)
    assert.equal(second.stderr.trim().split('\n').length, 1, 'one line')

    const forced = await runCli(['init', 'chat', '--yes', '--force', '--stage', 'prod'], {cwd})
    assert.equal(forced.code, 0, forced.stderr)
    assert.match(readFileSync(join(cwd, 'chat/template.yaml'), 'utf8'), /Default: "prod"/)
    assert.equal(readFileSync(join(cwd, 'chat/notes.txt'), 'utf8'), 'mine', 'files not in the plan are kept')
    assert.match(forced.stdout, /overwrote {2}template\.yaml/)
  })

  it('the next steps of a --auth token project work as written', async () => {
    const cwd = tempDir()
    const init = await runCli(['init', 'chat', '--yes', '--auth', 'token'], {cwd})
    assert.equal(init.code, 0, init.stderr)
    const step = (command: string) => {
      const line = init.stdout.split('\n').find((candidate) => candidate.trim().startsWith(`wsapi ${command}`))
      assert.ok(line, `no "wsapi ${command}" step in:\n${init.stdout}`)
      return line.split('#')[0].trim().split(/ +/).slice(2)
    }

    const dir = join(cwd, 'chat')
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), new RegExp(`wsapi dev ${step('dev').join(' ')}`))
    const dev = await new DevProcess(dir, step('dev')).start()
    try {
      const chat = await runCli(['connect', ...step('connect'), '-x', 'hello', '--count', '1'], {cwd: dir})
      assert.equal(chat.code, 0, chat.stderr)
      assert.match(chat.stdout, /hello/)
    } finally {
      await dev.stop()
    }
  })

  it("the project's npm scripts run wsapi, or say how to install it", async () => {
    const cwd = tempDir()
    assert.equal((await runCli(['init', 'chat', '--yes'], {cwd})).code, 0)
    const dir = join(cwd, 'chat')
    const script = (path: string) =>
      spawnSync(process.execPath, ['scripts/wsapi.mjs', 'build'], {
        cwd: dir,
        encoding: 'utf8',
        env: {...process.env, PATH: path},
      })
    const scripts = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {scripts: Record<string, string>})
      .scripts
    assert.equal(scripts.build, 'node scripts/wsapi.mjs build')

    const missing = script(join(cwd, 'empty'))
    assert.equal(missing.status, 127)
    assert.equal(
      missing.stderr,
      'The wsapi command is not installed: run `npm install -g wsapi-cli`, then run this again.\n',
    )

    // A global install puts a `wsapi` executable on PATH.
    const bin = join(cwd, 'bin')
    mkdirSync(bin)
    writeFileSync(
      join(bin, 'wsapi'),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`,
    )
    chmodSync(join(bin, 'wsapi'), 0o755)
    const built = script(`${bin}:${dirname(process.execPath)}`)
    assert.equal(built.status, 0, built.stderr)
    assert.ok(existsSync(join(dir, '.wsapi/build/template.json')))
  })

  it('accepts a folder holding only .git', async () => {
    const cwd = tempDir()
    mkdirSync(join(cwd, 'app/.git'), {recursive: true})
    const result = await runCli(['init', 'app', '--yes'], {cwd})
    assert.equal(result.code, 0, result.stderr)
  })

  it('derives the name from DIR, or asks for --name', async () => {
    const cwd = tempDir()
    const derived = await runCli(['init', 'My_App', '--yes', '--json'], {cwd})
    assert.equal(derived.code, 0, derived.stderr)
    assert.equal(JSON.parse(derived.stdout).options.name, 'My-App')
    const none = await runCli(['init', '123', '--yes'], {cwd})
    assert.equal(none.code, 2)
    assert.match(none.stderr, /Cannot make a project name from the folder name "123": pass --name/)
  })

  it('--dry-run lists the files and writes nothing', async () => {
    const cwd = tempDir()
    const result = await runCli(['init', 'chat', '--yes', '--dry-run', '--auth', 'token'], {cwd})
    assert.equal(result.code, 0, result.stderr)
    // The count it announces is the list it prints.
    const listed = result.stdout.split('\n').filter((line) => line.startsWith('  ')).length
    assert.match(result.stdout, new RegExp(`Would write ${listed} files`))
    assert.match(result.stdout, /src\/handlers\/authorizer\.ts/)
    assert.ok(!existsSync(join(cwd, 'chat')))
  })

  it('--fanout-shards 1 leaves the fan-out function out; 0 is refused', async () => {
    const cwd = tempDir()
    const sharded = await runCli(
      ['init', 'chat', '--yes', '--dry-run', '--fanout-shards', '8', '--fanout-inline-max', '200', '--json'],
      {cwd},
    )
    assert.equal(sharded.code, 0, sharded.stderr)
    const {files, options} = JSON.parse(sharded.stdout) as {
      files: string[]
      options: {fanoutInlineMax: number; fanoutShards: number}
    }
    assert.deepEqual([options.fanoutShards, options.fanoutInlineMax], [8, 200])
    assert.ok(files.includes('src/handlers/fanout.ts'))
    const inline = await runCli(['init', 'chat', '--yes', '--dry-run', '--fanout-shards', '1', '--json'], {cwd})
    assert.equal(inline.code, 0, inline.stderr)
    assert.ok(!(JSON.parse(inline.stdout) as {files: string[]}).files.includes('src/handlers/fanout.ts'))
    const zero = await runCli(['init', 'chat', '--yes', '--fanout-shards', '0'], {cwd})
    assert.equal(zero.code, 2)
    assert.match(zero.stderr, /Invalid fan-out shards "0"/)
  })

  it('--json prints the result and nothing else on stdout', async () => {
    const cwd = tempDir()
    const result = await runCli(['init', 'chat', '--yes', '--json', '--routes', 'a,b', '--no-default-route'], {cwd})
    assert.equal(result.code, 0, result.stderr)
    const json = JSON.parse(result.stdout)
    assert.deepEqual(json.options.routes, ['a', 'b'])
    assert.equal(json.options.defaultRoute, false)
    assert.deepEqual(
      [json.options.rateLimit, json.options.rateBurst, json.options.reservedConcurrency],
      ['10/s', 20, 100],
    )
    assert.ok(json.files.includes('src/handlers/a.ts') && json.files.includes('src/handlers/b.ts'))
    assert.ok(!json.files.includes('src/handlers/default.ts'))
  })

  it('never takes piped stdin as DIR', async () => {
    const cwd = tempDir()
    const result = await runCli(['init', '--yes', '--name', 'chat'], {cwd, input: 'elsewhere\n'})
    assert.equal(result.code, 0, result.stderr)
    assert.ok(existsSync(join(cwd, 'template.yaml')))
    assert.ok(!existsSync(join(cwd, 'elsewhere')))
  })

  it('a folder it cannot create is a one-line error with exit 1, not a hang or a stack trace', async () => {
    const cwd = tempDir()
    writeFileSync(join(cwd, 'a-file'), 'mine')
    const underFile = await runCli(['init', 'a-file/chat', '--yes'], {cwd, timeoutMs: 20_000})
    assert.equal(underFile.code, 1, underFile.stderr)
    assert.match(
      underFile.stderr,
      /^Error: Could not write .*a-file\/chat\/.* \(ENOTDIR: .*\): choose a DIR you can write to\.\n$/,
    )
    // mkdir answers ENOENT under /proc, where Node's recursive mkdirSync loops forever.
    if (existsSync('/proc/self')) {
      const underProc = await runCli(['init', '/proc/wsapi-nowhere/chat', '--yes'], {cwd, timeoutMs: 20_000})
      assert.equal(underProc.code, 1, underProc.stderr)
      assert.match(underProc.stderr, /^Error: Could not write \/proc\/wsapi-nowhere\/chat\/.*ENOENT/)
    }
  })

  it('--timeout takes a duration like every duration flag; a bare number is seconds', async () => {
    for (const [value, seconds] of [
      ['20s', 20],
      ['1m', 60],
      ['12', 12],
    ] as const) {
      const cwd = tempDir()

      const result = await runCli(['init', 'chat', '--yes', '--timeout', value], {cwd})
      assert.equal(result.code, 0, result.stderr)
      assert.match(readFileSync(join(cwd, 'chat/template.yaml'), 'utf8'), new RegExp(`\\n      Timeout: ${seconds}\\n`))
    }
  })

  it('never prompts without a TTY, even without --yes', async () => {
    const cwd = tempDir()
    const result = await runCli(['init', 'chat'], {cwd, timeoutMs: 20_000})
    assert.equal(result.code, 0, result.stderr)
    assert.ok(existsSync(join(cwd, 'chat/template.yaml')))
  })

  for (const [args, bad] of [
    [['--name', '1chat'], '"1chat"'],
    [['--name', 'my_chat'], '"my_chat"'],
    [['--stage', 'v 1'], '"v 1"'],
    [['--stage', 'x'.repeat(129)], `"${'x'.repeat(129)}"`],
    // deploy refuses it (the stack chat-dev_1 is not a valid name), so init does too, with deploy's suggestion
    [
      ['--stage', 'dev_1'],
      '"chat-dev_1" (<project>-<stage>) is not valid for CloudFormation (letters, digits and "-", at most 128 characters): use --stage dev-1.',
    ],
    [['--routes', '$custom'], '"$custom"'],
    [['--routes', 'a,a'], 'route "a" is listed twice'],
    [['--routes', 'a,,b'], '"a,,b"'],
    [['--routes', 'has space'], '"has space"'],
    [['--route-selection', '$request.header.x'], '"$request.header.x"'],
    [['--route-selection', '${request.body.x'], '"${request.body.x"'],
    [['--route-selection', ''], '""'],
    [['--billing', 'cheap'], '--billing=cheap'],
    [['--runtime', 'nodejs18.x'], '--runtime=nodejs18.x'],
    [['--memory', '64'], '"64"'],
    [['--table-env', 'AWS_REGION'], '"AWS_REGION"'],
    [['--id-attribute', 'expiresAt'], '"expiresAt"'],
    [['--log-retention', '2'], '2'],
    [['--rate-limit', '10/h'], '"10/h"'],
    [['--rate-burst', '0'], '"0"'],
    [['--rate-limit', 'off', '--rate-burst', '5'], 'needs a rate limit'],
    [['--reserved-concurrency', '0'], '"0"'],
    [['--reserved-concurrency', 'all'], '"all"'],
    [
      [
        '--domain',
        'chat..example',
        '--certificate-arn',
        'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
      ],
      '"chat..example"',
    ],
    [
      ['--domain', 'chat.example.com', '--certificate-arn', 'arn:aws:iam::123456789012:role/x'],
      '"arn:aws:iam::123456789012:role/x"',
    ],
    [['--domain', 'chat.example.com'], '--domain needs --certificate-arn'],
    [['--timeout', '1500ms'], '"1.5": give a whole number'],
    [
      ['--timeout', 'long'],
      'Invalid --timeout: give a positive duration such as 500ms, 30s, 10m or 2h (a bare number is seconds), not "long"',
    ],
  ] as const) {
    it(`exits 2 naming the bad value for ${args.join(' ').slice(0, 40)}`, async () => {
      const cwd = tempDir()
      const result = await runCli(['init', 'chat', '--yes', ...args], {cwd})
      assert.equal(result.code, 2, result.stderr)
      assert.ok(result.stderr.includes(bad), result.stderr)
      assert.ok(!existsSync(join(cwd, 'chat')), 'nothing written')
    })
  }

  it('asks every question in a terminal and uses the answers', async () => {
    const cwd = tempDir()
    const session = new PtySession(['init', 'room'], {cwd})
    try {
      const answer = async (question: RegExp, keys: string) => {
        await session.expect(question)
        session.write(keys)
      }

      await answer(/Project \(stack\) name/, '\r') // default from DIR: room
      await answer(/Stage/, 'prod_1\r')
      await session.expect(/"room-prod_1"[\s\S]*use --stage prod-1\./)
      session.write('\u0015' + 'prod\r')
      await answer(/Route selection expression/, '\r')
      await answer(/Custom routes/, '\u0015send,join\r') // Ctrl-U clears the default first
      await answer(/Add a \$default route.*\(Y\/n\)/, 'maybe\r')
      await session.expect(/Answer y or n/)
      session.write('\u0015' + 'N\r')
      await answer(/Add rooms .*direct messages and whoami\?.*\(y\/N\)/, '\r') // no: the routes hold join already
      await answer(/Connection-id attribute/, '\r')
      await answer(/Environment variable carrying the table name/, '\r')
      await answer(/Table billing mode/, '\u001B[B\r') // arrow down: provisioned
      await answer(/Read capacity units/, '\u0015ten\r')
      await session.expect(/Invalid read capacity "ten": give a whole number/)
      session.write('\u0015' + '10\r')
      await answer(/Write capacity units/, '\r')
      await answer(/Lambda runtime/, '\r')
      await answer(/Architecture/, '\r')
      await answer(/Memory \(MB\)/, '\r')
      await answer(/Timeout \(seconds\)/, '\r')
      await answer(/Log retention/, '\r')
      await answer(/Messages per connection to broadcast routes/, '\u0015' + '30/m\r')
      await answer(/Messages per connection at once/, '\r') // two seconds' worth of 30/m: 1
      await answer(/Reserved concurrency of each broadcast function/, '\u0015none\r')
      await answer(/\$connect authorization/, '\u001B[B\r') // token
      assert.equal(await session.waitForExit(), 0, session.text)
    } finally {
      session.kill()
    }

    const template = readFileSync(join(cwd, 'room/template.yaml'), 'utf8')
    assert.match(template, /project: "room"/)
    assert.match(template, /Default: "prod"/)
    assert.match(template, /RouteKey: "send"/)
    assert.match(template, /RouteKey: "join"/)
    assert.doesNotMatch(template, /RouteKey: "\$default"/)
    assert.match(template, /ReadCapacityUnits: 10\n/)
    assert.match(template, /WriteCapacityUnits: 5\n/)
    assert.match(template, /AuthorizerType: REQUEST/)
    assert.match(template, /RATE_LIMIT: "30\/m"\n {10}RATE_LIMIT_BURST: "1"\n/)
    assert.doesNotMatch(template, /ReservedConcurrentExecutions/)
  })

  it('Ctrl-C at a prompt says so, exits 130 and writes nothing', async () => {
    const cwd = tempDir()
    const session = new PtySession(['init', 'room'], {cwd})
    try {
      await session.expect(/Project \(stack\) name/)
      session.write('\r')
      await session.expect(/Stage/)
      session.write('\u0003')
      assert.equal(await session.waitForExit(), 130, session.text)
    } finally {
      session.kill()
    }

    assert.match(session.text, /Cancelled, nothing written\./)
    assert.doesNotMatch(session.text, /ExitPromptError|SIGINT|Error:/)
    assert.ok(!existsSync(join(cwd, 'room')), 'no partial project')
  })

  it('asks only what no flag answers', async () => {
    const cwd = tempDir()
    const session = new PtySession(
      [
        'init',
        'room',
        '--name',
        'lobby',
        '--stage',
        'v2',
        '--route-selection',
        '$request.body.action',
        '--routes',
        'say',
        '--default-route',
        '--no-rooms',
        '--id-attribute',
        'id',
        '--table-env',
        'TABLE',
        '--billing',
        'on-demand',
        '--runtime',
        'nodejs22.x',
        '--arch',
        'arm64',
        '--memory',
        '512',
        '--timeout',
        '10',
        '--log-retention',
        '7',
        '--rate-limit',
        '5/s',
        '--rate-burst',
        '8',
        '--reserved-concurrency',
        '50',
      ],
      {cwd},
    )
    try {
      await session.expect(/\$connect authorization/)
      assert.doesNotMatch(
        session.text,
        /Project \(stack\) name|Stage|Memory|Messages per connection|Reserved concurrency/,
      )
      session.write('\r')
      assert.equal(await session.waitForExit(), 0, session.text)
    } finally {
      session.kill()
    }

    const template = readFileSync(join(cwd, 'room/template.yaml'), 'utf8')
    assert.match(template, /MemorySize: 512/)
    assert.match(template, /ReservedConcurrentExecutions: 50\n/)
    assert.match(template, /RATE_LIMIT: "5\/s"\n {10}RATE_LIMIT_BURST: "8"\n/)
  })
})
