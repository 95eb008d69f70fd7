import {createHash} from 'node:crypto'
import {appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'

import {historyKey} from '../client/url.js'

/** Overrides where wsapi keeps per-user state (connect history); tests point it at a temp folder. */
export const STATE_DIR_ENV = 'WSAPI_STATE_DIR'

/** The per-user state folder: $WSAPI_STATE_DIR, else ~/.wsapi. */
export function userStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[STATE_DIR_ENV] || join(homedir(), '.wsapi')
}

/**
 * The history file of one API: readable host/port/path plus a hash of the whole key, so that two
 * URLs never share a file and the name still says what it is.
 */
export function historyFile(url: string, stateDir: string): string {
  const key = historyKey(url)
  const readable = key
    .replace(/^wss?:\/\//, '')
    .replaceAll(/[^\w.-]+/g, '_')
    .slice(0, 60)
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12)
  return join(stateDir, 'history', `${readable}-${hash}.txt`)
}

/**
 * Lines typed to one API, kept across runs (one per line, oldest first). Lines are appended as they
 * are typed, so two sessions on the same URL do not overwrite each other; the file is cut back to the
 * newest `limit` lines when it grows past twice that. The file may hold secrets: only its owner reads it.
 */
export class LineHistory {
  private last: string | undefined

  constructor(
    readonly file: string,
    readonly limit = 500,
    private readonly onError: (message: string) => void = () => {},
  ) {}

  add(line: string): void {
    if (line.trim() === '' || line.includes('\n') || line === this.last) return
    this.last = line
    try {
      mkdirSync(dirname(this.file), {mode: 0o700, recursive: true})
      appendFileSync(this.file, `${line}\n`, {mode: 0o600})
      const lines = this.readAll()
      if (lines.length > this.limit * 2)
        writeFileSync(this.file, `${lines.slice(-this.limit).join('\n')}\n`, {mode: 0o600})
    } catch (error) {
      this.onError(`Could not save the history to ${this.file}: ${(error as Error).message}`)
    }
  }

  /** The newest `limit` lines, oldest first. */
  load(): string[] {
    try {
      const lines = this.readAll().slice(-this.limit)
      this.last = lines.at(-1)
      return lines
    } catch (error) {
      this.onError(`Could not read the history in ${this.file}: ${(error as Error).message}`)
      return []
    }
  }

  private readAll(): string[] {
    if (!existsSync(this.file)) return []
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
  }
}
