// Which log `wsapi logs` reads: the running (or last) `wsapi dev`'s, or the deployed stage's in CloudWatch Logs.
import {existsSync} from 'node:fs'

import {devLogPath} from '../dev/log.js'
import {ExitCode, WsapiError} from '../errors.js'
import {type ProjectModel, readDevStates, readOutputsState} from '../project/index.js'

/**
 * Which log `wsapi logs` reads: dev's when a `wsapi dev` of the project runs, or when dev ran and the
 * stage was never deployed from here; CloudWatch Logs otherwise, and always when asked for the deployed
 * stage (--stage or an AWS flag).
 */
export function logSource(project: ProjectModel, deployed: boolean | undefined): 'cloudwatch' | 'dev' {
  if (deployed) return 'cloudwatch'
  if (readDevStates(project.dir).length > 0) return 'dev'
  const deployedHere = readOutputsState(project.dir, project.stage.name) !== undefined
  if (existsSync(devLogPath(project.dir)) && !deployedHere) return 'dev'
  if (!deployedHere) {
    throw new WsapiError(
      `No log to show: \`wsapi dev\` never ran in this project and stage ${project.stage.name} was not deployed from here: start \`wsapi dev\`, or pass --stage (or --region) to read a deployed stage's logs.`,
      {code: 'NO_LOG_SOURCE', exit: ExitCode.failure},
    )
  }

  return 'cloudwatch'
}
