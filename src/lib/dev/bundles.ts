import {createHash} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {basename, dirname, join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

import {bundleHandler} from '../bundle/index.js'
import type {FunctionModel} from '../project/index.js'

export interface DevBundle {
  /** Absolute paths of the sources it was built from (what to watch). */
  inputs: string[]
  /** file:// URL of index.mjs. */
  moduleUrl: string
}

/**
 * Packages that generated handlers import and wsapi ships too: a fresh project runs under `wsapi dev`
 * before anyone ran `npm install`, so these come from wsapi's copy unless the project has its own
 * (`wsapi build` always takes the project's).
 */
const SHARED_PACKAGES = ['aws-jwt-verify']

function packageDir(entry: string, name: string): string | undefined {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) if (basename(dir) === name) return dir
  return undefined
}

/** esbuild aliases pointing each shared package the project cannot resolve at wsapi's copy. */
export function sharedPackageAliases(projectDir: string): Record<string, string> {
  const fromProject = createRequire(join(projectDir, 'package.json'))
  const ours = createRequire(import.meta.url)
  const aliases: Record<string, string> = {}
  for (const name of SHARED_PACKAGES) {
    try {
      fromProject.resolve(name)
      continue
    } catch {}

    try {
      const dir = packageDir(ours.resolve(name), name)
      if (dir) aliases[name] = dir
    } catch {}
  }

  return aliases
}

/**
 * Bundles a function as `wsapi build` does, except that names are kept (stack traces name the handler's
 * own functions), and writes it below `functionsDir` in a folder named by its content hash, so each
 * version gets a fresh module URL. Source map paths are made absolute, so stack traces point at the
 * project's own files.
 */
export async function bundleForDev(projectDir: string, fn: FunctionModel, functionsDir: string): Promise<DevBundle> {
  const bundle = await bundleHandler({
    alias: sharedPackageAliases(projectDir),
    entry: fn.entry,
    keepNames: true,
    projectDir,
    runtime: fn.runtime,
  })
  const hash = createHash('sha256').update(bundle.code).digest('hex').slice(0, 12)
  const dir = join(functionsDir, fn.logicalId, hash)
  mkdirSync(dir, {recursive: true})
  const map = JSON.parse(bundle.map.toString('utf8')) as {sourceRoot?: string; sources: string[]}
  map.sources = map.sources.map((source) => resolve(projectDir, source))
  map.sourceRoot = ''
  writeFileSync(join(dir, `${bundle.outputName}.map`), JSON.stringify(map))
  writeFileSync(join(dir, bundle.outputName), bundle.code)
  return {
    inputs: bundle.inputs.map((input) => resolve(projectDir, input)),
    moduleUrl: pathToFileURL(join(dir, bundle.outputName)).href,
  }
}
