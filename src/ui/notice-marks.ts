/** The marks that start a notice of each level, the same in every command's output. */

export type MarkedLevel = 'error' | 'success' | 'warn'

interface MarkColors {
  green(text: string): string
  red(text: string): string
  yellow(text: string): string
}

const MARKS: Record<MarkedLevel, {color: keyof MarkColors; mark: string}> = {
  error: {color: 'red', mark: '✖'},
  success: {color: 'green', mark: '✔'},
  warn: {color: 'yellow', mark: '!'},
}

/** `✔ message`, `! message`, `✖ message`, the mark coloured with `colors` (ansis, or an instance without colour). */
export function marked(level: MarkedLevel, message: string, colors: MarkColors): string {
  const {color, mark} = MARKS[level]
  return `${colors[color](mark)} ${message}`
}
