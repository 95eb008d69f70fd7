import {closeSync, existsSync, openSync, readFileSync, readSync, statSync} from 'node:fs'

import {type DevLogRecord, devLogPath} from '../dev/log.js'
import {loadProject} from '../project/index.js'
import {lineMatcher} from './filter.js'
import {projectFunctions, selectFunctions, shortName} from './functions.js'
import {compactJson} from './message.js'
import {sleep} from './sleep.js'
import type {LogLine, LogsOptions, LogsResult} from './types.js'

const FOLLOW_POLL_MS = 250

function parseRecord(line: string): DevLogRecord | undefined {
  if (!line.trim()) return undefined
  try {
    const record = JSON.parse(line) as DevLogRecord
    return typeof record.time === 'string' && typeof record.text === 'string' ? record : undefined
  } catch {
    return undefined
  }
}

export function devRecordToLine(record: DevLogRecord): LogLine {
  return {
    function: record.function ? shortName(record.function) : 'dev',
    ...(record.level ? {level: record.level} : {}),
    ...(record.function ? {logicalId: record.function} : {}),
    message: record.function && !record.route ? compactJson(record.text) : record.text,
    ...(record.requestId ? {requestId: record.requestId} : {}),
    source: 'dev',
    time: record.time,
  }
}

/** Complete lines of `buffer` and the number of bytes they take (a half-written last line waits for the next read). */
function completeLines(buffer: Buffer): {consumed: number; lines: string[]} {
  const end = buffer.lastIndexOf(0x0a)
  if (end === -1) return {consumed: 0, lines: []}
  return {consumed: end + 1, lines: buffer.subarray(0, end).toString('utf8').split('\n')}
}

/**
 * `wsapi logs` against `wsapi dev`: the records dev appends to .wsapi/dev.log (and the previous file,
 * dev.log.1), from --since, then (--follow) new ones as dev writes them.
 */
export async function devLogs(options: LogsOptions): Promise<LogsResult> {
  const project = options.project ?? loadProject(options.dir, {stage: options.stage})
  const path = devLogPath(project.dir)
  const selected =
    options.functions.length > 0
      ? new Set(selectFunctions(projectFunctions(project), options.functions).map((fn) => fn.logicalId))
      : undefined
  const matches = lineMatcher(options.filter)
  let count = 0
  const take = (line: string) => {
    const record = parseRecord(line)
    if (!record || Date.parse(record.time) < options.since) return
    if (selected && !(record.function && selected.has(record.function))) return
    if (!matches(record.text)) return
    count++
    options.onLine(devRecordToLine(record))
  }

  for (const file of [`${path}.1`, path]) {
    if (!existsSync(file)) continue
    for (const line of completeLines(readFileSync(file)).lines) take(line)
  }

  if (options.follow) await follow(path, take, options.signal)
  return {
    functions: selected ? [...selected].map((id) => shortName(id)) : [],
    lines: count,
    source: 'dev',
    target: path,
  }
}

/** Tails the file: reads what was appended since the last look; starts over when dev rotated it. */
async function follow(path: string, take: (line: string) => void, signal?: AbortSignal): Promise<void> {
  let identity = existsSync(path) ? statSync(path).ino : undefined
  let position = identity === undefined ? 0 : completeLines(readFileSync(path)).consumed
  // eslint-disable-next-line no-await-in-loop
  while (await sleep(FOLLOW_POLL_MS, signal)) {
    if (!existsSync(path)) continue
    const stat = statSync(path)
    if (stat.ino !== identity || stat.size < position) {
      identity = stat.ino
      position = 0
    }

    if (stat.size <= position) continue
    const buffer = Buffer.alloc(stat.size - position)
    const fd = openSync(path, 'r')
    try {
      readSync(fd, buffer, 0, buffer.length, position)
    } finally {
      closeSync(fd)
    }

    const {consumed, lines} = completeLines(buffer)
    position += consumed
    for (const line of lines) take(line)
  }
}
