import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {UsageError, WsapiError} from '../../../src/lib/errors.js'
import {checkTarget, writeProject} from '../../../src/lib/scaffold/write.js'
import {tempDir} from '../../helpers/tmp.js'

describe('scaffold: writing the project', () => {
  const files = [
    {contents: 'name: chat\n', path: 'template.yaml'},
    {contents: 'export {}\n', path: 'src/handlers/connect.ts'},
  ]

  it('creates the folders and files of a new folder, and says which it created', () => {
    const dir = join(tempDir(), 'a', 'b', 'chat')
    assert.deepEqual(writeProject(dir, files), {created: ['template.yaml', 'src/handlers/connect.ts'], overwritten: []})
    assert.equal(readFileSync(join(dir, 'src/handlers/connect.ts'), 'utf8'), 'export {}\n')
  })

  it('an empty folder, or one holding only .git and OS files, counts as empty', () => {
    const dir = tempDir()
    mkdirSync(join(dir, '.git'))
    writeFileSync(join(dir, '.DS_Store'), '')
    writeFileSync(join(dir, 'Thumbs.db'), '')
    assert.doesNotThrow(() => checkTarget(dir))
    assert.doesNotThrow(() => checkTarget(join(dir, 'missing')))
  })

  it('refuses a non-empty folder (naming three entries at most) unless forced; forced, it overwrites only its own files', () => {
    const dir = tempDir()
    for (const name of ['notes.txt', 'a', 'b', 'c']) writeFileSync(join(dir, name), 'mine')
    writeFileSync(join(dir, 'template.yaml'), 'old')
    assert.throws(
      () => writeProject(dir, files),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === 'TARGET_NOT_EMPTY' &&
        error.message ===
          `${dir} is not empty (a, b, c, …): choose an empty or new folder, or pass --force to write the project files over it (other files are kept).`,
    )
    assert.deepEqual(writeProject(dir, files, {force: true}), {
      created: ['src/handlers/connect.ts'],
      overwritten: ['template.yaml'],
    })
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'mine')
    assert.equal(readFileSync(join(dir, 'template.yaml'), 'utf8'), 'name: chat\n')
  })

  it('a file where the folder should be, or a folder where a file goes, is a usage error', () => {
    const file = join(tempDir(), 'chat')
    writeFileSync(file, '')
    assert.throws(
      () => checkTarget(file),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === 'TARGET_NOT_DIR' &&
        error.message === `${file} is a file, not a folder: choose another DIR.`,
    )
    const dir = tempDir()
    mkdirSync(join(dir, 'template.yaml'))
    assert.throws(
      () => writeProject(dir, files, {force: true}),
      (error: unknown) => error instanceof UsageError && error.code === 'TARGET_CONFLICT',
    )
  })

  it('a place it cannot write to fails with a one-line error saying so', () => {
    // Below a file: no folder can be made there, whoever runs the test (root included).
    const file = join(tempDir(), 'plain-file')
    writeFileSync(file, '')
    assert.throws(
      () => writeProject(join(file, 'chat'), files),
      (error: unknown) =>
        error instanceof WsapiError &&
        error.code === 'WRITE_FAILED' &&
        /^Could not write .*template\.yaml \(ENOTDIR.*\): choose a DIR you can write to\.$/.test(error.message),
    )
  })
})
