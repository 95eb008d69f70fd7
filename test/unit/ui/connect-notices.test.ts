import assert from 'node:assert/strict'

import {Ansis} from 'ansis'

import {Notices} from '../../../src/ui/connect-notices.js'

class RecordingNotices extends Notices {
  readonly lines: string[] = []

  protected write(line: string): void {
    this.lines.push(line)
  }
}

describe('ui connect notices', () => {
  it("use the other commands' marks, hide debug unless verbose, and escape what the server wrote", () => {
    const notices = new RecordingNotices(new Ansis(0), false)
    notices.success('Connected')
    notices.warn('careful')
    notices.error('closed: \u001B[2Jgone')
    notices.debug('hidden')
    notices.info('plain')
    assert.deepEqual(notices.lines, ['✔ Connected', '! careful', String.raw`✖ closed: \x1b[2Jgone`, 'plain'])
    const verbose = new RecordingNotices(new Ansis(0), true)
    verbose.debug('shown')
    assert.deepEqual(verbose.lines, ['shown'])
  })
})
