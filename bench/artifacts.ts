// Artifact sizes of `wsapi build` on a default project (`wsapi init --yes`), each against a baseline built in the
// same run: the same handler bundled with the AWS SDK v3 clients inside (what a bundler ships by default when
// @aws-sdk/* is not left to the Lambda runtime). Same esbuild options, same deterministic zip.
//
//   node --import tsx bench/artifacts.ts
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {buildProject} from '../src/lib/bundle/build.js'
import {bundleHandler} from '../src/lib/bundle/esbuild.js'
import {deterministicZip} from '../src/lib/bundle/zip.js'
import {loadProject} from '../src/lib/project/index.js'
import {planProject, resolveInitOptions} from '../src/lib/scaffold/index.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const dir = join(mkdtempSync(join(tmpdir(), 'wsapi-bench-artifacts-')), 'chat')
try {
  for (const file of planProject(resolveInitOptions({name: 'chat'})).files) {
    mkdirSync(dirname(join(dir, file.path)), {recursive: true})
    writeFileSync(join(dir, file.path), file.contents)
  }

  // The SDK-inside baseline resolves @aws-sdk/* from wsapi's own dependencies.
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir')
  const project = loadProject(dir)
  const built = await buildProject(project)
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
  const rows: string[][] = [['function', 'bundle', 'zip', 'zip, SDK inside', 'ratio']]
  let total = 0
  let baselineTotal = 0
  for (const fn of built.functions) {
    const model = project.functions[fn.logicalId]
    // eslint-disable-next-line no-await-in-loop -- one esbuild at a time on a small machine
    const withSdk = await bundleHandler({entry: model.entry, external: [], projectDir: dir, runtime: model.runtime})
    const baselineZip = deterministicZip([
      {data: withSdk.code, name: withSdk.outputName},
      {data: withSdk.map, name: `${withSdk.outputName}.map`},
    ]).length
    total += fn.zipBytes
    baselineTotal += baselineZip
    rows.push([
      fn.logicalId,
      kb(fn.bundleBytes),
      kb(fn.zipBytes),
      kb(baselineZip),
      `${(fn.zipBytes / baselineZip).toFixed(3)}×`,
    ])
  }

  rows.push(['all', '', kb(total), kb(baselineTotal), `${(total / baselineTotal).toFixed(3)}×`])
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  console.log(
    `wsapi build of a default project (${built.functions.length} functions; zips hold index.mjs and its source map)`,
  )
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
} finally {
  rmSync(dirname(dir), {force: true, recursive: true})
}
