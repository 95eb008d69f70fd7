import assert from 'node:assert/strict'
import {renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {SourceWatcher} from '../../../src/lib/dev/watcher.js'
import {tempDir} from '../../helpers/tmp.js'

/** A watcher on `files` whose batches arrive in order. */
function watching(files: string[]) {
  const batches: Array<Set<string>> = []
  const waiters: Array<() => void> = []
  const watcher = new SourceWatcher((changed) => {
    batches.push(changed)
    for (const waiter of waiters.splice(0)) waiter()
  }, 20)
  watcher.set(files)
  return {
    async batch(index: number): Promise<Set<string>> {
      while (batches.length <= index) await new Promise<void>((resolve) => waiters.push(resolve))
      return batches[index]
    },
    batches,
    watcher,
  }
}

describe('dev: the source watcher', function () {
  this.timeout(30_000)

  it('reports changed watched files in one batch, and only those', async () => {
    const dir = tempDir()
    const [a, b, other] = ['a.ts', 'b.ts', 'other.ts'].map((name) => join(dir, name))
    for (const file of [a, b, other]) writeFileSync(file, '1')
    const test = watching([a, b])
    try {
      writeFileSync(other, '2')
      writeFileSync(a, '2')
      writeFileSync(b, '2')
      const first = await test.batch(0)
      for (const file of first) assert.ok(file === a || file === b)
      assert.ok(first.has(a))
    } finally {
      test.watcher.close()
    }
  })

  it('sees a save done by writing a temporary file and renaming it over the source', async () => {
    const dir = tempDir()
    const source = join(dir, 'handler.ts')
    writeFileSync(source, '1')
    const test = watching([source])
    try {
      writeFileSync(join(dir, '.handler.ts.swp'), '2')
      renameSync(join(dir, '.handler.ts.swp'), source)
      assert.ok((await test.batch(0)).has(source))
    } finally {
      test.watcher.close()
    }
  })

  it('watches exactly the files given last', async () => {
    const dir = tempDir()
    const [a, b] = ['a.ts', 'b.ts'].map((name) => join(dir, name))
    for (const file of [a, b]) writeFileSync(file, '1')
    const test = watching([a])
    try {
      test.watcher.set([b])
      writeFileSync(a, '2')
      writeFileSync(b, '2')
      assert.deepEqual([...(await test.batch(0))], [b])
    } finally {
      test.watcher.close()
    }
  })
})
