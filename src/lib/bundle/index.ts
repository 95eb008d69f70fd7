export * from './build.js'
export * from './esbuild.js'
export * from './zip.js'
