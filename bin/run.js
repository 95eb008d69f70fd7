#!/usr/bin/env node
import {enableCompileCache} from '../dist/startup/compile-cache.js'

// Before oclif loads, so that it comes from the cache.
enableCompileCache()
const {execute} = await import('../dist/ui/oclif.js')
await execute({dir: import.meta.url})
