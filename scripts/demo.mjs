#!/usr/bin/env node
// The README's main job: scaffold a chat project into a temporary folder and run it locally with
// `wsapi dev` (API Gateway emulator + DynamoDB, no AWS account). It prints the WebSocket URL and the
// chat page's address; Ctrl-C stops it. Extra arguments go to `wsapi dev`, e.g. `npm run demo -- --port 0`.
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js')
const work = mkdtempSync(join(tmpdir(), 'wsapi-demo-'))
const project = join(work, 'chat')

const init = spawnSync(process.execPath, [bin, 'init', project, '--yes'], {stdio: 'inherit'})
if (init.status !== 0) process.exit(init.status ?? 1)

const dev = spawn(process.execPath, [bin, 'dev', '--dir', project, ...process.argv.slice(2)], {stdio: 'inherit'})
// Ctrl-C reaches both processes; this one waits for `wsapi dev` to close its connections and stop.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal))
dev.on('close', (code) => {
  rmSync(work, {force: true, recursive: true})
  process.exit(code ?? 1)
})
