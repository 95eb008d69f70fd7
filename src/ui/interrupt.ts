import {colors} from './output.js'

/**
 * Ctrl-C while wsapi watches a stack operation stops the watching, not the operation: say so, and where
 * to follow it, instead of dying silently. Returns a function that removes the handler.
 */
export function explainInterrupt(message: string): () => void {
  const handler = () => {
    process.stderr.write(`\n${colors.yellow('!')} ${message}\n`)
    process.exit(130)
  }

  process.once('SIGINT', handler)
  return () => process.off('SIGINT', handler)
}
