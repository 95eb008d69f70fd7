#!/usr/bin/env node
// CLI start-up: `wsapi --version` against `node -e 0` (the floor any Node CLI pays), alternating the two
// in one process so that machine noise hits both alike. Prints the ratio of medians; target ≤ 2.5×.
import {execFileSync} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const runs = Number(process.env.RUNS ?? 30)
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js')
const commands = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'wsapi --version': [process.execPath, [bin, '--version']],
  'wsapi --help': [process.execPath, [bin, '--help']],
}

function time([file, args]) {
  const start = process.hrtime.bigint()
  execFileSync(file, args, {stdio: 'ignore'})
  return Number(process.hrtime.bigint() - start) / 1e6
}

const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]))
for (const command of Object.values(commands)) time(command) // warm the file cache
for (let i = 0; i < runs; i++) {
  for (const [name, command] of Object.entries(commands)) samples[name].push(time(command))
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const baseline = median(samples['node -e 0'])
console.log(`runs: ${runs} each, alternating`)
for (const [name, values] of Object.entries(samples)) {
  const ms = median(values)
  console.log(`${name.padEnd(16)} median ${ms.toFixed(1).padStart(6)} ms   ratio ${(ms / baseline).toFixed(2)}×`)
}
