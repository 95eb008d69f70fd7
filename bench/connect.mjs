#!/usr/bin/env node
// Time to first message: `wsapi connect URL --send-raw -x hello --count 1` (the same bytes as wscat sends) against `wscat -c URL -x hello` on the same
// local echo server (started here, 127.0.0.1 port 0). Each run is timed from spawning the process to the
// moment the echoed message appears on its stdout (wscat would then wait 2 s more; it is killed). The two
// alternate in one process so that machine noise hits both alike. Prints medians and their ratio;
// target ≤ 1.5×. Needs `npm run build` first (it runs bin/run.js).
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {WebSocketServer} from 'ws'

const runs = Number(process.env.RUNS ?? 20)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// Outside any project, so that wsapi reads no template (wscat has none to read).
const cwd = mkdtempSync(join(tmpdir(), 'wsapi-bench-'))

const server = new WebSocketServer({host: '127.0.0.1', port: 0})
await new Promise((resolve) => server.once('listening', resolve))
server.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, {binary})))
const url = `ws://127.0.0.1:${server.address().port}/v1`

const clients = {
  wscat: [join(root, 'node_modules', 'wscat', 'bin', 'wscat'), '-c', url, '-x', 'hello'],
  'wsapi connect': [join(root, 'bin', 'run.js'), 'connect', url, '--send-raw', '-x', 'hello', '--count', '1'],
}

/** Milliseconds from spawn to "hello" on stdout (for the reference row: to the version on stdout). */
function timeToFirstMessage(args, expected = 'hello\n') {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    // stdin an open pipe: wscat quits as soon as its stdin ends (wscat#4), before any message arrives.
    const child = spawn(process.execPath, args, {
      cwd,
      env: {...process.env, NO_COLOR: '1'},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let elapsed
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      if (elapsed === undefined && stdout.includes(expected)) {
        elapsed = Number(process.hrtime.bigint() - started) / 1e6
        child.kill('SIGKILL')
      }
    })
    child.on('error', reject)
    child.on('exit', () =>
      elapsed === undefined ? reject(new Error(`${args.join(' ')} printed no message: ${stdout}`)) : resolve(elapsed),
    )
  })
}

// Reference: the CLI's own start-up (oclif loading its config), which every wsapi command pays before it runs.
const version = [join(root, 'bin', 'run.js'), '--version']
const versionSamples = []

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const samples = Object.fromEntries(Object.keys(clients).map((name) => [name, []]))
// One client at a time, or they would share the machine and measure each other.
/* eslint-disable no-await-in-loop */
for (const args of Object.values(clients)) await timeToFirstMessage(args) // warm the file cache
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(clients)) samples[name].push(await timeToFirstMessage(args))
  versionSamples.push(await timeToFirstMessage(version, 'wsapi/'))
}
/* eslint-enable no-await-in-loop */

server.close()
rmSync(cwd, {force: true, recursive: true})
const baseline = median(samples.wscat)
console.log(`time to first message, ${runs} runs each, alternating (node ${process.version})`)
for (const [name, values] of Object.entries({
  ...samples,
  'wsapi --version (start-up floor, for reference)': versionSamples,
})) {
  const ms = median(values)
  console.log(`${name.padEnd(14)} median ${ms.toFixed(1).padStart(6)} ms   ratio ${(ms / baseline).toFixed(2)}×`)
}
