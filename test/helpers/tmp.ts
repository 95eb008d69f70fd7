import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const made: string[] = []

/** A fresh temporary folder, removed after the run. */
export function tempDir(prefix = 'wsapi-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

process.once('exit', () => {
  for (const dir of made) rmSync(dir, {force: true, recursive: true})
})
