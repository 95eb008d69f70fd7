// wsapi runtime: small helpers the generated handlers share. Copied into each project by `wsapi init`
// and bundled into each function by `wsapi build`; it imports only the AWS SDK, which Lambda provides.
export * from './broadcast.js'
export * from './connections.js'
export * from './env.js'
export * from './fanout.js'
export * from './limits.js'
export * from './management.js'
export * from './message.js'
export * from './metrics.js'
export * from './pacing.js'
export * from './rate-limit.js'
export type * from './types.js'
