import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {UsageError} from '../../../src/lib/errors.js'
import {claimPersistDir, PERSIST_OWNER_FILE} from '../../../src/lib/dev/persist.js'
import {tempDir} from '../../helpers/tmp.js'

describe('dev: the --persist folder', function () {
  this.timeout(30_000)

  it('is created if missing and marked as used by this process until released', async () => {
    const path = join(tempDir(), 'a', 'b', 'data')
    const claim = await claimPersistDir(path)
    assert.equal(readFileSync(join(path, PERSIST_OWNER_FILE), 'utf8'), String(process.pid))
    claim.release()
    assert.equal(existsSync(join(path, PERSIST_OWNER_FILE)), false)
    // Free again: a second claim succeeds.
    const again = await claimPersistDir(path)
    again.release()
  })

  it('refuses a file, with what to give instead (exit 2)', async () => {
    const file = join(tempDir(), 'file')
    writeFileSync(file, '')
    await assert.rejects(claimPersistDir(file), (error: Error) => {
      assert.ok(error instanceof UsageError)
      assert.equal(error.message, `--persist ${file}: not a folder (give a folder; it is created if missing).`)
      return true
    })
  })

  it('refuses a path it cannot read or create, and a folder holding something other than a database, saying what to do', async () => {
    const file = join(tempDir(), 'file')
    writeFileSync(file, '')
    await assert.rejects(claimPersistDir(join(file, 'data')), /^UsageError: --persist .*: cannot read it \(ENOTDIR: /)
    // In /proc, mkdir answers ENOENT although the parent exists (and Node's recursive mkdir would never return).
    await assert.rejects(
      claimPersistDir('/proc/wsapi-persist-test'),
      /^UsageError: --persist \/proc\/wsapi-persist-test: cannot create the folder \(ENOENT\): pick a folder you can write\.$/,
    )
    const broken = tempDir()
    writeFileSync(join(broken, 'CURRENT'), 'not a manifest name\n')
    await assert.rejects(
      claimPersistDir(broken),
      /^UsageError: --persist .*: cannot open it as a database \(.+\): delete it or pick another folder\.$/,
    )
  })

  it('refuses a folder whose database another program holds open, naming the dev server that does', async () => {
    const path = tempDir()
    const {createRequire} = await import('node:module')
    const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'))
    const {Level} = requireFromDynalite('level') as {
      Level: new (path: string) => {close(): Promise<void>; open(): Promise<void>}
    }
    const db = new Level(path)
    await db.open()
    try {
      writeFileSync(join(path, PERSIST_OWNER_FILE), '4242')
      await assert.rejects(
        claimPersistDir(path),
        /--persist .*: in use by the dev server with pid 4242: stop it, or pick another folder\./,
      )
    } finally {
      await db.close()
    }
  })
})
