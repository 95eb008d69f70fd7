import {type DurationGrammar, parseDuration} from '../lib/duration.js'
import {Flags} from './oclif.js'

/** Seconds when bare: timeouts and waits. */
export const SECONDS: DurationGrammar = {bare: 's'}
/** Milliseconds when bare, 0 allowed: latencies and intervals. */
export const MILLISECONDS: DurationGrammar = {bare: 'ms', zero: true}

/** A flag that takes a duration in the one grammar of src/lib/duration.ts (`500ms`, `30s`, `10m`, `2h`) and gives milliseconds. */
export function durationFlag(grammar: DurationGrammar) {
  return Flags.custom<number>({
    async parse(input) {
      return parseDuration(input, grammar)
    },
  })
}

/**
 * The same with a default, written as a user writes it (`10m`). --help shows it so; a function default that
 * the manifest does not cache keeps oclif from printing milliseconds or loading the command to render help.
 */
export function durationFlagWithDefault(grammar: DurationGrammar, defaultText: string) {
  const defaultMs = parseDuration(defaultText, grammar)
  const flag = Flags.custom<number>({
    default: async () => defaultMs,
    noCacheDefault: true,
    async parse(input) {
      return parseDuration(input, grammar)
    },
  })
  return (options: {description: string}) => flag({description: `[default: ${defaultText}] ${options.description}`})
}
