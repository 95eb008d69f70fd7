// s3rver ships no types; only what test/helpers/local-s3.ts uses.
declare module 's3rver' {
  import {EventEmitter} from 'node:events'

  interface S3rverOptions {
    address?: string
    configureBuckets?: Array<{configs: Array<Buffer | string>; name: string}>
    directory?: string
    port?: number
    silent?: boolean
  }

  export default class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions)
    close(): Promise<void>
    run(): Promise<{address: string; port: number}>
  }
}
