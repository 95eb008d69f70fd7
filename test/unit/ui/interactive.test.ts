import assert from 'node:assert/strict'

import {isInteractive} from '../../../src/ui/interactive.js'

describe('isInteractive', () => {
  const streams = (stdin: boolean, stdout: boolean) => ({stdin: {isTTY: stdin}, stdout: {isTTY: stdout}})

  it('needs a terminal on both stdin and stdout', () => {
    assert.equal(isInteractive({}, streams(true, true)), true)
    // A prompt written into a pipe is never seen; an answer cannot come from a pipe.
    assert.equal(isInteractive({}, streams(true, false)), false)
    assert.equal(isInteractive({}, streams(false, true)), false)
    assert.equal(isInteractive({}, {stdin: {}, stdout: {}}), false)
  })

  it('is never interactive when the output is JSON for a program', () => {
    assert.equal(isInteractive({json: true}, streams(true, true)), false)
    assert.equal(isInteractive({json: false}, streams(true, true)), true)
  })
})
