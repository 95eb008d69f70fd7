import {accessSync, constants, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

import {UsageError} from '../errors.js'

/** Written into the --persist folder while a dev server uses it, so that a second one can name it. */
export const PERSIST_OWNER_FILE = 'wsapi-dev.pid'

function refuse(path: string, reason: string): UsageError {
  return new UsageError(`--persist ${path}: ${reason}.`, {code: 'PERSIST_DIR'})
}

interface LevelDatabase {
  close(): Promise<void>
  open(): Promise<void>
}

/** Opens and closes the LevelDB in `path` with dynalite's own copy of level: the error if it cannot be opened. */
type LevelError = Error & {cause?: Error & {code?: string}; code?: string}

async function probeLevel(path: string): Promise<LevelError | undefined> {
  const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'))
  const {Level} = requireFromDynalite('level') as {Level: new (path: string) => LevelDatabase}
  const db = new Level(path)
  try {
    await db.open()
    await db.close()
    return undefined
  } catch (error) {
    return error as LevelError
  }
}

/**
 * mkdir -p one level at a time: Node's recursive mkdirSync never returns for a path such as /proc/nope,
 * where mkdir answers ENOENT although the parent exists.
 */
function makeFolder(path: string): void {
  try {
    mkdirSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return
    const parent = dirname(path)
    if (code !== 'ENOENT' || parent === path) throw error
    let parentExists = true
    try {
      statSync(parent)
    } catch {
      parentExists = false
    }

    if (parentExists) throw error
    makeFolder(parent)
    mkdirSync(path)
  }
}

/**
 * Checks the --persist folder before dynalite opens it (dynalite would fail later with "Database is
 * closed", or wait for ever): it must be a folder this process can write, and no other dev server may hold
 * it. Creates it if missing and records this process as its user. Throws a UsageError (exit 2) naming the
 * path and the reason.
 */
export async function claimPersistDir(path: string): Promise<{release(): void}> {
  let isDirectory: boolean | undefined
  try {
    isDirectory = statSync(path).isDirectory()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw refuse(path, `cannot read it (${(error as Error).message})`)
  }

  if (isDirectory === false) throw refuse(path, 'not a folder (give a folder; it is created if missing)')
  if (isDirectory === undefined) {
    try {
      makeFolder(path)
    } catch (error) {
      throw refuse(
        path,
        `cannot create the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): pick a folder you can write`,
      )
    }
  }

  try {
    accessSync(path, constants.W_OK)
    writeFileSync(join(path, `.wsapi-write-check-${process.pid}`), '')
    rmSync(join(path, `.wsapi-write-check-${process.pid}`), {force: true})
  } catch (error) {
    throw refuse(
      path,
      `cannot write there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): pick a folder you can write`,
    )
  }

  const failure = await probeLevel(path)
  if (failure) {
    const locked =
      failure.code === 'LEVEL_LOCKED' ||
      failure.cause?.code === 'LEVEL_LOCKED' ||
      /lock/i.test(`${failure.message} ${failure.cause?.message ?? ''}`)
    if (!locked)
      throw refuse(
        path,
        `cannot open it as a database (${failure.cause?.message ?? failure.message}): delete it or pick another folder`,
      )
    let owner: number | undefined
    try {
      owner = Number.parseInt(readFileSync(join(path, PERSIST_OWNER_FILE), 'utf8'), 10)
    } catch {}

    throw refuse(
      path,
      owner
        ? `in use by the dev server with pid ${owner}: stop it, or pick another folder`
        : 'in use by another program (its database is locked): pick another folder',
    )
  }

  const ownerFile = join(path, PERSIST_OWNER_FILE)
  writeFileSync(ownerFile, String(process.pid))
  return {
    release() {
      try {
        if (readFileSync(ownerFile, 'utf8') === String(process.pid)) rmSync(ownerFile, {force: true})
      } catch {}
    },
  }
}
