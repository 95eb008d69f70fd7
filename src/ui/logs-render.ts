import type {LogLine} from '../lib/logs/index.js'
import {terminalText} from '../lib/terminal-text.js'
import {colors} from './output.js'

const PALETTE = [
  colors.cyan,
  colors.magenta,
  colors.yellow,
  colors.green,
  colors.blue,
  colors.cyanBright,
  colors.magentaBright,
  colors.yellowBright,
]
const NAME_WIDTH = 12

/** The same colour for a function on every run: picked from its name. */
export function functionColor(name: string): (text: string) => string {
  if (name === 'dev') return colors.dim
  let hash = 0
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0
  return PALETTE[hash % PALETTE.length]
}

const LEVEL_COLORS: Record<string, (text: string) => string> = {
  ERROR: colors.red,
  FATAL: colors.red,
  WARN: colors.yellow,
}

/**
 * A log line for a person: time (UTC), the function's short name in its colour, the level, the message.
 * The message is outside text: its control characters are shown, not obeyed; its further lines are indented.
 */
export function renderLogLine(line: LogLine): string {
  const name = functionColor(line.function)(line.function.padEnd(NAME_WIDTH))
  const level = line.level ? `${(LEVEL_COLORS[line.level] ?? colors.dim)(line.level.padEnd(5))} ` : ''
  const indent = ' '.repeat(12 + 1 + Math.max(NAME_WIDTH, line.function.length) + 1)
  const message = terminalText(line.message).replaceAll('\n', `\n${indent}`)
  return `${colors.dim(line.time.slice(11, 23))} ${name} ${level}${message}`
}
