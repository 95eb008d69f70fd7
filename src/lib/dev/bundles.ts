import {createHash} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
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
 * Bundles a function as `wsapi build` does, except that names are kept (stack traces name the handler's
 * own functions), and writes it below `functionsDir` in a folder named by its content hash, so each
 * version gets a fresh module URL. Source map paths are made absolute, so stack traces point at the
 * project's own files.
 */
export async function bundleForDev(projectDir: string, fn: FunctionModel, functionsDir: string): Promise<DevBundle> {
  const bundle = await bundleHandler({entry: fn.entry, keepNames: true, projectDir, runtime: fn.runtime})
  const hash = createHash('sha256').update(bundle.code).digest('hex').slice(0, 12)
  const dir = join(functionsDir, fn.logicalId, hash)
  mkdirSync(dir, {recursive: true})
  const map = JSON.parse(bundle.map.toString('utf8')) as {sourceRoot?: string; sources: string[]}
  map.sources = map.sources.map((source) => resolve(projectDir, source))
  map.sourceRoot = ''
  writeFileSync(join(dir, `${bundle.outputName}.map`), JSON.stringify(map))
  writeFileSync(join(dir, bundle.outputName), bundle.code)
  return {inputs: bundle.inputs.map((input) => resolve(projectDir, input)), moduleUrl: pathToFileURL(join(dir, bundle.outputName)).href}
}
