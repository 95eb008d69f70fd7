/**
 * The one channel through which src/lib talks to the user. Commands pass a terminal
 * implementation (src/ui); tests pass a recording one. The library never writes to stdout itself.
 */
export type OutputLevel = 'debug' | 'info' | 'success' | 'warn' | 'error'

export interface Output {
  debug(message: string): void
  info(message: string): void
  success(message: string): void
  warn(message: string): void
  error(message: string): void
}

export const silentOutput: Output = {
  debug() {},
  error() {},
  info() {},
  success() {},
  warn() {},
}

export interface RecordedLine {
  level: OutputLevel
  message: string
}

/** An Output that keeps every line, for tests and for `--json` summaries. */
export class RecordingOutput implements Output {
  readonly lines: RecordedLine[] = []

  debug(message: string): void {
    this.lines.push({level: 'debug', message})
  }

  error(message: string): void {
    this.lines.push({level: 'error', message})
  }

  info(message: string): void {
    this.lines.push({level: 'info', message})
  }

  /** All messages at the given levels, joined by newlines. */
  text(...levels: OutputLevel[]): string {
    return this.lines
      .filter((line) => levels.length === 0 || levels.includes(line.level))
      .map((line) => line.message)
      .join('\n')
  }

  success(message: string): void {
    this.lines.push({level: 'success', message})
  }

  warn(message: string): void {
    this.lines.push({level: 'warn', message})
  }
}
