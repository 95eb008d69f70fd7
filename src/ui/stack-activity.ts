import ansis from 'ansis'

import type {ActivityListener, ActivityStart, StackActivity} from '../lib/deploy/stack-activity-monitor.js'
import {type StatusTone, statusTone} from '../lib/deploy/stack-status.js'
import {terminalLine} from '../lib/terminal-text.js'

const TONE: Record<StatusTone, (text: string) => string> = {
  failure: (text) => ansis.red(text),
  neutral: (text) => ansis.dim(text),
  progress: (text) => ansis.yellow(text),
  rollback: (text) => ansis.magenta(text),
  success: (text) => ansis.green(text),
}

export function colorStatus(status: string): string {
  return TONE[statusTone(status)](status)
}

/** m:ss */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}

const VERB: Record<string, string> = {CREATE: 'Creating', DELETE: 'Deleting', UPDATE: 'Updating', WAIT: 'Waiting for'}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(1, width - ansis.strip(text).length))
}

/**
 * One stack event as a line: elapsed, status (coloured), logical id, type, reason. The event's words
 * are CloudFormation's, which quote other services and the stack's own values: shown, never obeyed.
 */
export function formatActivity(activity: StackActivity, options: {count?: boolean} = {}): string {
  const {event} = activity
  const count = options.count && activity.total > 0 ? ansis.dim(`[${activity.done}/${activity.total}] `) : ''
  const reasonText = event.reason ? terminalLine(event.reason) : ''
  const reason =
    reasonText && reasonText !== 'User Initiated'
      ? `  ${statusTone(event.status) === 'failure' ? ansis.red(reasonText) : ansis.dim(reasonText)}`
      : ''
  return `  ${ansis.dim(formatElapsed(activity.elapsedMs).padStart(5))}  ${count}${pad(colorStatus(terminalLine(event.status)), 22)}${pad(terminalLine(event.logicalId), 26)}${ansis.dim(terminalLine(event.resourceType))}${reason}`
}

function progressBar(done: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : 0
  return ansis.green('█'.repeat(filled)) + ansis.dim('░'.repeat(width - filled))
}

export interface TerminalActivityOptions {
  /** Where to draw: stdout, or stderr when stdout carries --json. */
  stream: NodeJS.WriteStream
  /** Draw a live progress bar (redrawn in place); else plain lines with [N/M]. @default stream.isTTY */
  tty?: boolean
}

/**
 * Draws a stack operation: in a terminal, event lines scroll above a progress bar with N/M and the
 * elapsed time (redrawn every second); elsewhere (CI logs, pipes), one plain line per event with [N/M].
 */
export function terminalActivity(options: TerminalActivityOptions): ActivityListener {
  const {stream} = options
  const tty = options.tty ?? Boolean(stream.isTTY)
  let info: ActivityStart | undefined
  let startedAt = 0
  let done = 0
  let lastStatus = ''
  let timer: NodeJS.Timeout | undefined
  let barShown = false

  const write = (text: string) => stream.write(text)
  const clearBar = () => {
    if (barShown) write('\r\u001B[2K')
    barShown = false
  }

  const drawBar = () => {
    if (!info) return
    const total = info.total > 0 ? `${done}/${info.total}` : `${done} done`
    write(
      `\r\u001B[2K  ${info.total > 0 ? `${progressBar(done, info.total)} ` : ''}${total}  ${formatElapsed(Date.now() - startedAt)}${lastStatus ? `  ${colorStatus(lastStatus)}` : ''}`,
    )
    barShown = true
  }

  return {
    activity(activity) {
      done = activity.done
      if (activity.event.resourceType === 'AWS::CloudFormation::Stack') lastStatus = activity.event.status
      if (tty) clearBar()
      write(`${formatActivity(activity, {count: !tty})}\n`)
      if (tty) drawBar()
    },
    start(start) {
      info = start
      startedAt = Date.now()
      done = 0
      lastStatus = ''
      const size = start.total > 0 ? ` (${start.total} resource${start.total === 1 ? '' : 's'})` : ''
      write(`${ansis.bold(`${VERB[start.operation] ?? start.operation} ${start.stackName}`)}${size}\n`)
      if (tty) {
        drawBar()
        timer = setInterval(drawBar, 1000)
        timer.unref()
      }
    },
    stop(summary) {
      clearInterval(timer)
      if (tty) clearBar()
      const total = summary.total > 0 ? `${summary.done}/${summary.total} resources` : `${summary.done} resources`
      write(`  ${ansis.dim(`${total} in ${formatElapsed(summary.elapsedMs)}`)}\n`)
      info = undefined
    },
  }
}
