#!/usr/bin/env node
// The README's main job: scaffold a chat project into a temporary folder and run it locally with
// `wsapi dev` (API Gateway emulator + DynamoDB, no AWS account). It prints the WebSocket URL, the chat
// page's address and a `connect` command that works from where you ran it; Ctrl-C stops it and deletes
// the folder. Extra arguments go to `wsapi dev`, e.g. `npm run demo -- --port 3002`.
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js')
// npm runs scripts from the package root; INIT_CWD is where `npm run demo` was typed.
const here = process.env.INIT_CWD ?? process.cwd()
const wsapi = `node ${relative(here, bin) || bin}`
const work = mkdtempSync(join(tmpdir(), 'wsapi-demo-'))
const project = join(work, 'chat')

// init's own "Next steps" would point into a folder this script deletes: print ours instead.
const init = spawnSync(process.execPath, [bin, 'init', project, '--yes', '--json'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
})
if (init.status !== 0) {
  process.stderr.write(init.stderr)
  rmSync(work, {force: true, recursive: true})
  process.exit(init.status ?? 1)
}

console.log(`Scaffolded a chat project into ${project} (temporary: deleted when the demo stops).`)
console.log(`To keep a project of your own: ${wsapi} init chat\n`)

const dev = spawn(process.execPath, [bin, 'dev', '--dir', project, '--json', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
createInterface({input: dev.stdout}).once('line', (line) => {
  let ready
  try {
    ready = JSON.parse(line)
  } catch {
    console.log(line)
    return
  }

  console.log(`✔ ${ready.project} runs locally, stage ${ready.stage}`)
  console.log(`  WebSocket  ${ready.url}`)
  console.log(`  Chat page  ${ready.pageUrl}\n`)
  console.log(`Try it, from another terminal here: ${wsapi} connect ${ready.url}`)
  console.log(`or open ${ready.pageUrl}. Ctrl-C stops.\n`)
})
// Ctrl-C reaches both processes; this one waits for `wsapi dev` to close its connections and stop.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal))
dev.on('close', (code) => {
  rmSync(work, {force: true, recursive: true})
  process.exit(code ?? 1)
})
