export * from './target.js'
