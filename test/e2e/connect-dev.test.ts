import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {startDev} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'
import {chatScenarios, type StartBackend} from './connect-scenarios.js'

/** The generated project run by `wsapi dev` (the real handlers, DynamoDB and @connections), as `wsapi connect` users meet it. */
const startDevBackend: StartBackend = async (options = {}) => {
  const projectDir = scaffoldProject({
    auth: options.authToken === undefined ? 'none' : 'token',
    defaultRoute: options.defaultRoute ?? true,
    routes: options.throwingRoute ? 'sendmessage,boom' : 'sendmessage',
  })
  if (options.throwingRoute)
    writeFileSync(
      join(projectDir, 'src/handlers/boom.ts'),
      "export async function handler() {\n  throw new Error('boom')\n}\n",
    )
  const dev = await startDev(
    projectDir,
    [],
    options.authToken === undefined ? {} : {WSAPI_PARAMETER_AuthTokenSecret: options.authToken},
  )
  return {close: async () => void (await dev.stop()), projectDir, url: dev.ready.url}
}

describe('wsapi connect against wsapi dev', function () {
  this.timeout(60_000)
  chatScenarios(startDevBackend)
})
