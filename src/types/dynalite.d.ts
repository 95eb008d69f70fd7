declare module 'dynalite' {
  import type {Server} from 'node:http'

  interface DynaliteOptions {
    createTableMs?: number
    deleteTableMs?: number
    /** Folder for a persistent LevelDB store; in memory when absent. */
    path?: string
    ssl?: boolean
    updateTableMs?: number
  }

  function dynalite(options?: DynaliteOptions): Server
  export default dynalite
}
