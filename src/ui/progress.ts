import ansis from 'ansis'

export interface ProgressBar {
  /** Clears the bar, leaving the line empty for what follows. */
  stop(): void
  /** Redraws the bar at `fraction` (0–1) with a label after it. */
  update(fraction: number, label: string): void
}

/**
 * A one-line progress bar redrawn in place on a terminal; on anything else (a pipe, a file, CI logs)
 * it draws nothing, so that captured output holds only results.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr, width = 24): ProgressBar {
  if (!stream.isTTY) return {stop() {}, update() {}}
  let drawn = false
  return {
    stop() {
      if (drawn) stream.write('\r\u001B[2K')
      drawn = false
    },
    update(fraction, label) {
      const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0))
      const filled = Math.round(clamped * width)
      const bar = ansis.cyan('█'.repeat(filled)) + ansis.dim('░'.repeat(width - filled))
      const line = `${bar} ${String(Math.floor(clamped * 100)).padStart(3)}% ${label}`
      // Never wrap: a wrapped line cannot be redrawn in place.
      const columns = stream.columns ?? 80
      stream.write(`\r\u001B[2K${ansis.strip(line).length >= columns ? ansis.strip(line).slice(0, columns - 1) : line}`)
      drawn = true
    },
  }
}
