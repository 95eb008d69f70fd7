// The one door to oclif for commands and the UI. In the built CLI this file is replaced by a loader of a
// single-file bundle of @oclif/core (scripts/bundle-oclif.mjs): oclif as ~120 separate modules costs more
// to resolve and compile than wsapi connect spends talking to the server. From source (tests, bin/dev.js)
// it is plain @oclif/core; the two export the same names.
export {Args, Command, CommandHelp, Flags, Help, execute, loadHelpClass} from '@oclif/core'
export type {Config, Hook} from '@oclif/core'
