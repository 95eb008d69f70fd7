import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {deterministicZip} from '../../src/lib/bundle/zip.js'
import {tempDir} from '../helpers/tmp.js'

describe('deterministicZip read by Python zipfile (an independent reader)', () => {
  const entries = [
    {data: Buffer.from('export const handler = async () => ({statusCode: 200})\n'.repeat(50)), name: 'index.mjs'},
    {data: Buffer.from('{"version":3}'), name: 'index.mjs.map'},
  ]

  it('lists the files with their sizes, and every CRC checks', function () {
    const path = join(tempDir(), 'a.zip')
    writeFileSync(path, deterministicZip(entries))
    let listing: string
    try {
      listing = execFileSync(
        'python3',
        [
          '-c',
          'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(",".join(f"{i.filename}:{i.file_size}" for i in z.infolist()))',
          path,
        ],
        {encoding: 'utf8'},
      )
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.skip()
      throw error
    }

    assert.equal(listing.trim(), `index.mjs:${entries[0].data.length},index.mjs.map:${entries[1].data.length}`)
  })
})
