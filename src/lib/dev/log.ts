import {createWriteStream, mkdirSync, openSync, renameSync, statSync, type WriteStream} from 'node:fs'
import {dirname, join} from 'node:path'

import type {Output} from '../output.js'
import {STATE_DIR} from '../project/index.js'
import {terminalText} from '../terminal-text.js'

/** One line per invocation and per handshake or frame decision, so that a developer can follow the traffic. */
export interface InvocationRecord {
  connectionId: string
  durationMs?: number
  /** The handler's error, with its stack, when it failed. */
  error?: {errorMessage: string; errorType: string; init?: boolean; stack?: string}
  functionId?: string
  /** Extra words after the status, e.g. the close code of a $disconnect. */
  note?: string
  route: string
  /** e.g. 200, 101, 403, "Forbidden", "Internal server error". */
  status: number | string
}

const clock = (date: Date) => date.toISOString().slice(11, 23)

/**
 * The log of `wsapi dev`. Its lines quote clients and handlers (close reasons, route keys, console
 * output, error messages), so every line goes through terminalText: a client cannot retitle or clear
 * the developer's terminal.
 */
export class DevLog {
  constructor(
    private readonly output: Output,
    private readonly enabled: boolean,
    /** Where the same lines go as NDJSON records, for `wsapi logs`. */
    private readonly file?: DevLogFile,
  ) {}

  /** Flushes and closes the file, if any. */
  close(): Promise<void> {
    return this.file?.close() ?? Promise.resolve()
  }

  invocation(record: InvocationRecord): void {
    // The file gets every line, --quiet or not: `wsapi logs` reads it.
    const duration = record.durationMs === undefined ? '' : `${Math.round(record.durationMs)} ms`
    const detail = record.error
      ? `${record.error.init ? 'Init error: the handler threw while loading\n' : ''}${record.error.stack ?? `${record.error.errorType}: ${record.error.errorMessage}`}`
      : undefined
    const level = record.error ? 'error' : typeof record.status === 'string' || record.status >= 400 ? 'warn' : 'info'
    this.file?.write({
      connectionId: record.connectionId,
      durationMs: record.durationMs === undefined ? undefined : Math.round(record.durationMs),
      function: record.functionId,
      level: level.toUpperCase(),
      route: record.route,
      status: record.status,
      text: `${[record.route, record.connectionId, duration, record.note ? `${record.status}  ${record.note}` : String(record.status)].filter(Boolean).join('  ')}${detail ? `\n${detail}` : ''}`,
      time: new Date().toISOString(),
    })
    if (!this.enabled) return
    const line = [
      clock(new Date()),
      record.route.padEnd(12),
      record.connectionId,
      (record.functionId ?? '-').padEnd(20),
      duration.padStart(7),
      record.note ? `${record.status}  ${record.note}` : String(record.status),
    ].join('  ')
    this.print(level, detail ? `${line}\n${detail.replaceAll(/^/gm, '    ')}` : line)
  }

  /** A console line of a handler, tagged as CloudWatch would tag it. */
  handler(functionId: string, level: string, requestId: string | undefined, text: string): void {
    this.file?.write({function: functionId, level, requestId, text, time: new Date().toISOString()})
    if (!this.enabled) return
    const line = `${clock(new Date())}  ${functionId} ${requestId ?? '-'} ${level} ${text}`
    if (level === 'ERROR') this.print('error', line)
    else if (level === 'WARN') this.print('warn', line)
    else this.print('info', line)
  }

  info(message: string): void {
    this.file?.write({level: 'INFO', text: message, time: new Date().toISOString()})
    this.print('info', message)
  }

  warn(message: string): void {
    this.file?.write({level: 'WARN', text: message, time: new Date().toISOString()})
    this.print('warn', message)
  }

  success(message: string): void {
    this.file?.write({level: 'INFO', text: message, time: new Date().toISOString()})
    this.print('success', message)
  }

  error(message: string): void {
    this.file?.write({level: 'ERROR', text: message, time: new Date().toISOString()})
    this.print('error', message)
  }

  private print(level: 'error' | 'info' | 'success' | 'warn', message: string): void {
    this.output[level](terminalText(message))
  }
}

/** One line of `.wsapi/dev.log`: what dev printed, as data (`text` as the handler or client wrote it, not escaped). */
export interface DevLogRecord {
  connectionId?: string
  durationMs?: number
  /** The function's logical id; none for dev's own lines. */
  function?: string
  level: string
  requestId?: string
  route?: string
  status?: number | string
  text: string
  /** ISO 8601. */
  time: string
}

/** The file `wsapi dev` appends its log to (all dev servers of the project share it). */
export function devLogPath(projectDir: string): string {
  return join(projectDir, STATE_DIR, 'dev.log')
}

/** Past this size the file is renamed to dev.log.1 (replacing the older one) and a new one started. */
export const DEV_LOG_MAX_BYTES = 10 * 1024 * 1024

/** Appends NDJSON records to a file, keeping at most two files of about `maxBytes` each. */
export class DevLogFile {
  private failed = false
  private size = 0
  private stream?: WriteStream

  constructor(
    readonly path: string,
    private readonly maxBytes = DEV_LOG_MAX_BYTES,
  ) {}

  write(record: DevLogRecord): void {
    if (this.failed) return
    const line = `${JSON.stringify(record)}\n`
    const bytes = Buffer.byteLength(line)
    try {
      this.stream ??= this.open()
      if (this.size > 0 && this.size + bytes > this.maxBytes) {
        this.stream.end()
        // The old stream's last writes still land in the renamed file: its descriptor follows it.
        renameSync(this.path, `${this.path}.1`)
        this.stream = this.open()
      }
    } catch {
      // The log file is a convenience: the terminal still has every line.
      this.failed = true
      return
    }

    this.stream.write(line)
    this.size += bytes
  }

  close(): Promise<void> {
    const {stream} = this
    this.stream = undefined
    return stream ? new Promise((resolve) => stream.end(resolve)) : Promise.resolve()
  }

  private open(): WriteStream {
    mkdirSync(dirname(this.path), {recursive: true})
    try {
      this.size = statSync(this.path).size
    } catch {
      this.size = 0
    }

    // Opened now (not when the stream gets to it), so that a rotation right after renames an open file;
    // only this user may read it: handlers' output can hold what others should not see.
    const stream = createWriteStream(this.path, {fd: openSync(this.path, 'a', 0o600)})
    stream.on('error', () => (this.failed = true))
    return stream
  }
}
