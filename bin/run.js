#!/usr/bin/env node
import {enableCompileCache} from '../dist/src/startup/compile-cache.js'

// Before oclif loads, so that it comes from the cache.
enableCompileCache()
const {execute} = await import('../dist/src/ui/oclif.js')
await execute({dir: import.meta.url})
