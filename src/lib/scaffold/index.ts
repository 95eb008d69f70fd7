export * from './engine.js'
export * from './options.js'
export * from './plan.js'
export * from './write.js'
