// Runs the wsapi command for `npm run dev`, `build` and `deploy`, or says how to get it: wsapi is a tool
// you install once (`npm install -g wsapi-cli`), not a dependency of this project.
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {delimiter, join} from 'node:path'

const INSTALL = 'The wsapi command is not installed: run `npm install -g wsapi-cli`, then run this again.'

/** The wsapi executable on PATH (npm puts node_modules/.bin first), or undefined. */
function findWsapi() {
  const extensions = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD').split(';') : ['']
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const extension of extensions) {
      const candidate = join(dir, `wsapi${extension}`)
      if (existsSync(candidate)) return candidate
    }
  }

  return undefined
}

const wsapi = findWsapi()
if (wsapi === undefined) {
  console.error(INSTALL)
  process.exit(127)
}

const child = spawn(wsapi, process.argv.slice(2), {shell: process.platform === 'win32', stdio: 'inherit'})
// Ctrl-C reaches wsapi too; wait for it to stop cleanly instead of leaving it behind.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('close', (code, signal) => process.exit(code ?? (signal ? 130 : 1)))
