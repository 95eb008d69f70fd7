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

/** The same with a default, written as a user writes it (`10m`), which --help shows. */
export function durationFlagWithDefault(grammar: DurationGrammar, defaultText: string) {
  return Flags.custom<number>({
    default: parseDuration(defaultText, grammar),
    defaultHelp: async () => defaultText,
    async parse(input) {
      return parseDuration(input, grammar)
    },
  })
}
