import assert from 'node:assert/strict'

import {deterministicZip} from '../../../src/lib/bundle/zip.js'
import {unzip} from '../../helpers/unzip.js'

// Read back by an independent reader (Python's zipfile): test/e2e/zip-python.test.ts.
describe('deterministicZip', () => {
  const entries = [
    {data: Buffer.from('export const handler = async () => ({statusCode: 200})\n'.repeat(50)), name: 'index.mjs'},
    {data: Buffer.from('{"version":3}'), name: 'index.mjs.map'},
  ]

  it('round-trips the files with fixed dates and 0644 permissions', () => {
    const files = unzip(deterministicZip(entries))
    assert.deepEqual(
      files.map((file) => [file.name, file.data.toString(), file.dosDate, file.dosTime, file.unixMode & 0o777]),
      entries.map((entry) => [entry.name, entry.data.toString(), 33, 0, 0o644]),
    )
  })

  it('gives the same bytes for the same files in any order', () => {
    assert.ok(deterministicZip(entries).equals(deterministicZip([...entries].reverse())))
  })

  it('differs when a file differs', () => {
    assert.ok(
      !deterministicZip(entries).equals(deterministicZip([{...entries[0], data: Buffer.from('x')}, entries[1]])),
    )
  })
})
