import {existsSync, mkdirSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {UsageError, WsapiError} from '../errors.js'
import type {PlannedFile} from './plan.js'

/** Entries that do not make a folder "non-empty": a fresh `git init` or an OS's own files. */
const IGNORABLE_ENTRIES = new Set(['.git', '.DS_Store', 'Thumbs.db'])

export interface WriteResult {
  created: string[]
  overwritten: string[]
}

export interface WriteOptions {
  force?: boolean
}

/** Refuses a target that is a file, or a non-empty folder unless `force`. */
export function checkTarget(dir: string, options: WriteOptions = {}): void {
  if (!existsSync(dir)) return
  if (!statSync(dir).isDirectory())
    throw new UsageError(`${dir} is a file, not a folder: choose another DIR.`, {code: 'TARGET_NOT_DIR'})
  const entries = readdirSync(dir).filter((entry) => !IGNORABLE_ENTRIES.has(entry))
  if (entries.length > 0 && !options.force) {
    throw new UsageError(
      `${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}): choose an empty or new folder, or pass --force to write the project files over it (other files are kept).`,
      {code: 'TARGET_NOT_EMPTY'},
    )
  }
}

/**
 * mkdir -p one level at a time: Node 20's `mkdirSync(…, {recursive: true})` loops forever where mkdir
 * answers ENOENT under a parent that exists (e.g. under /proc).
 */
function makeDirectories(dir: string): void {
  const missing: string[] = []
  for (let current = dir; !existsSync(current); current = dirname(current)) {
    missing.unshift(current)
    if (dirname(current) === current) break
  }

  for (const path of missing) mkdirSync(path)
}

/** Writes the planned files under `dir`, creating folders; files not in the plan are never touched. */
export function writeProject(dir: string, files: PlannedFile[], options: WriteOptions = {}): WriteResult {
  checkTarget(dir, options)
  const result: WriteResult = {created: [], overwritten: []}
  for (const file of files) {
    const path = join(dir, file.path)
    const existed = existsSync(path)
    if (existed && statSync(path).isDirectory()) {
      throw new UsageError(`${path} is a folder where wsapi writes a file: move it away and run init again.`, {
        code: 'TARGET_CONFLICT',
      })
    }

    try {
      makeDirectories(dirname(path))
      writeFileSync(path, file.contents)
    } catch (error) {
      const {message} = error as Error
      throw new WsapiError(`Could not write ${path} (${message}): choose a DIR you can write to.`, {
        cause: error,
        code: 'WRITE_FAILED',
      })
    }

    ;(existed ? result.overwritten : result.created).push(file.path)
  }

  return result
}
