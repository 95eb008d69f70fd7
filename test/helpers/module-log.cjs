// Preloaded with --require: records every module the process loads (CommonJS through require.cache,
// ESM through a resolve hook) into $WSAPI_MODULE_LOG, so a test can check what start-up pulls in.
const {appendFileSync} = require('node:fs')
const {register} = require('node:module')
const {pathToFileURL} = require('node:url')

const log = process.env.WSAPI_MODULE_LOG
if (log) {
  register(pathToFileURL(require.resolve('./module-log-hooks.mjs')).href, {data: {log}})
  process.on('exit', () => appendFileSync(log, Object.keys(require.cache).join('\n') + '\n'))
}
