export * from './ledger.js'
export * from './messages.js'
export * from './run.js'
export * from './stats.js'
