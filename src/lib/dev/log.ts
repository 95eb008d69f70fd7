import type {Output} from '../output.js'
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
  ) {}

  invocation(record: InvocationRecord): void {
    if (!this.enabled) return
    const duration = record.durationMs === undefined ? '' : `${Math.round(record.durationMs)} ms`
    const line = [clock(new Date()), record.route.padEnd(12), record.connectionId, (record.functionId ?? '-').padEnd(20), duration.padStart(7), record.note ? `${record.status}  ${record.note}` : String(record.status)].join('  ')
    if (record.error) {
      const detail = `${record.error.init ? 'Init error: the handler threw while loading\n' : ''}${record.error.stack ?? `${record.error.errorType}: ${record.error.errorMessage}`}`
      this.error(`${line}\n${detail.replaceAll(/^/gm, '    ')}`)
    } else if (typeof record.status === 'string' || record.status >= 400) {
      this.warn(line)
    } else {
      this.info(line)
    }
  }

  /** A console line of a handler, tagged as CloudWatch would tag it. */
  handler(functionId: string, level: string, requestId: string | undefined, text: string): void {
    if (!this.enabled) return
    const line = `${clock(new Date())}  ${functionId} ${requestId ?? '-'} ${level} ${text}`
    if (level === 'ERROR') this.error(line)
    else if (level === 'WARN') this.warn(line)
    else this.info(line)
  }

  info(message: string): void {
    this.output.info(terminalText(message))
  }

  warn(message: string): void {
    this.output.warn(terminalText(message))
  }

  success(message: string): void {
    this.output.success(terminalText(message))
  }

  error(message: string): void {
    this.output.error(terminalText(message))
  }
}
