import assert from 'node:assert/strict'

import {cacheable, DYNAMIC_IMPORT} from '../../../src/startup/compile-cache.js'

// The cache at work in fresh Node processes, through the built CLI: test/e2e/compile-cache.test.ts.
describe('compile cache', () => {
  it('recognises a dynamic import in code, not a method or a quoted word', () => {
    for (const code of ['await import(url)', 'x = import (u)', 'import(\n"a")', ';(async()=>{ return import(x) })']) {
      assert.ok(DYNAMIC_IMPORT.test(code), code)
      assert.ok(!cacheable(code), code)
    }

    for (const code of [
      'loader.import(x)',
      'my_import(x)',
      '$import(x)',
      '"import()" is invalid',
      "'import(' ",
      'important(x)',
    ]) {
      assert.ok(!DYNAMIC_IMPORT.test(code), code)
    }
  })
})
