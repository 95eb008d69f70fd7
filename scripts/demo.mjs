#!/usr/bin/env node
// The README's main job: scaffold a chat project into a temporary folder and run it locally.
// No AWS account is needed. Extra arguments go to `wsapi dev`.
import {spawnSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js')
const project = join(mkdtempSync(join(tmpdir(), 'wsapi-demo-')), 'chat')
const run = (args) => spawnSync(process.execPath, [bin, ...args], {stdio: 'inherit'}).status ?? 1

const initStatus = run(['init', project, '--yes'])
if (initStatus !== 0) process.exit(initStatus)
process.exit(run(['build', '--dir', project, ...process.argv.slice(2)]))
