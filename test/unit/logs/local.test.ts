import assert from 'node:assert/strict'
import {appendFileSync, mkdirSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {devLogs} from '../../../src/lib/logs/local.js'
import type {LogLine} from '../../../src/lib/logs/index.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {scaffoldProject} from '../../helpers/project.js'

const record = (time: string, fn: string | undefined, text: string) =>
  `${JSON.stringify({function: fn, level: 'INFO', text, time})}\n`

/** Resolves once `lines` holds `count` lines (checked as each arrives). */
function waitFor(lines: LogLine[], count: number): {onLine: (line: LogLine) => void; reached: Promise<void>} {
  let resolve!: () => void
  const reached = new Promise<void>((done) => (resolve = done))
  return {
    onLine(line) {
      lines.push(line)
      if (lines.length >= count) resolve()
    },
    reached,
  }
}

describe("wsapi logs: dev's log file", () => {
  it('reads dev.log.1 then dev.log, keeps lines from --since of the named functions, skips torn or foreign lines', async () => {
    const dir = scaffoldProject()
    mkdirSync(join(dir, '.wsapi'), {recursive: true})
    writeFileSync(
      join(dir, '.wsapi', 'dev.log.1'),
      record('2026-12-04T06:00:00.000Z', 'SendmessageFunction', 'too old') +
        record('2026-12-04T06:10:00.000Z', 'SendmessageFunction', '{ "older": 1 }'),
    )
    writeFileSync(
      join(dir, '.wsapi', 'dev.log'),
      record('2026-12-04T06:11:00.000Z', 'ConnectFunction', 'other function') +
        'not json\n' +
        record('2026-12-04T06:12:00.000Z', 'SendmessageFunction', 'newer') +
        '{"function":"SendmessageFunction","te',
    )
    const lines: LogLine[] = []
    const result = await devLogs({
      aws: {},
      dir,
      functions: ['sendmessage'],
      onLine: (line) => lines.push(line),
      output: new RecordingOutput(),
      since: Date.parse('2026-12-04T06:05:00Z'),
    })
    assert.deepEqual(
      lines.map((line) => [line.function, line.message]),
      [
        ['sendmessage', '{"older":1}'],
        ['sendmessage', 'newer'],
      ],
    )
    assert.equal(result.lines, 2)
  })

  it('--follow picks up appended lines, a line written in two parts, and a new file after rotation', async () => {
    const dir = scaffoldProject()
    const path = join(dir, '.wsapi', 'dev.log')
    mkdirSync(join(dir, '.wsapi'), {recursive: true})
    writeFileSync(path, record('2026-12-04T06:00:00.000Z', undefined, 'history'))
    const lines: LogLine[] = []
    const controller = new AbortController()
    const history = waitFor(lines, 1)
    let onLine = history.onLine
    const following = devLogs({
      aws: {},
      dir,
      follow: true,
      functions: [],
      onLine: (line) => onLine(line),
      output: new RecordingOutput(),
      signal: controller.signal,
      since: 0,
    })
    await history.reached
    // A line appended in two writes: shown once whole.
    const first = waitFor(lines, 2)
    onLine = first.onLine
    const torn = record('2026-12-04T06:01:00.000Z', 'ConnectFunction', 'appended')
    appendFileSync(path, torn.slice(0, 20))
    appendFileSync(path, torn.slice(20))
    await first.reached
    assert.deepEqual(
      lines.map((line) => line.message),
      ['history', 'appended'],
    )

    const second = waitFor(lines, 3)
    onLine = second.onLine
    renameSync(path, `${path}.1`)
    // Longer than what was read of the old file: only its identity tells that it is another file.
    writeFileSync(path, record('2026-12-04T06:02:00.000Z', 'ConnectFunction', `after rotation ${'x'.repeat(300)}`))
    await second.reached
    controller.abort()
    await following
    assert.deepEqual(
      lines.map((line) => [line.function, line.message]),
      [
        ['dev', 'history'],
        ['connect', 'appended'],
        ['connect', `after rotation ${'x'.repeat(300)}`],
      ],
    )
  })
})
