import ansis from 'ansis'

import type {Output} from '../lib/output.js'
import {marked} from './notice-marks.js'

export interface TerminalOutputOptions {
  /** Print debug lines. */
  debug?: boolean
  /** With --json, stdout carries only the JSON result, so every line goes to stderr. */
  json?: boolean
}

/** The terminal side of the library's Output: colours (ansis honours NO_COLOR and non-TTYs), stdout vs stderr. */
export function terminalOutput(options: TerminalOutputOptions = {}): Output {
  const out = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`)
  const err = (line: string) => process.stderr.write(`${line}\n`)
  return {
    debug(message) {
      if (options.debug) err(ansis.dim(message))
    },
    error(message) {
      err(marked('error', message, ansis))
    },
    info(message) {
      out(message)
    },
    success(message) {
      out(marked('success', message, ansis))
    },
    warn(message) {
      err(marked('warn', message, ansis))
    },
  }
}

export const colors = ansis

/** Bytes as B / KB / MB (1 KB = 1024 B, as AWS quotes its limits). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`
}

/** A left-aligned text table without borders. */
export function table(rows: string[][], options: {header?: string[]} = {}): string {
  const all = options.header ? [options.header, ...rows] : rows
  // ansis codes have no width on screen
  const visible = (text: string) => ansis.strip(text).length
  const widths = all.reduce<number[]>((acc, row) => row.map((cell, i) => Math.max(acc[i] ?? 0, visible(cell))), [])
  const render = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - visible(cell))))
      .join('  ')
      .trimEnd()
  const lines = all.map((row) => render(row))
  if (options.header) lines[0] = ansis.bold(lines[0])
  return lines.join('\n')
}
