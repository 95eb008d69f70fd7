import {existsSync} from 'node:fs'

import {devLogPath} from '../dev/log.js'
import {ExitCode, WsapiError} from '../errors.js'
import {loadProject, type ProjectModel, readDevStates, readOutputsState} from '../project/index.js'
import {deployedLogs} from './deployed.js'
import {devLogs} from './local.js'
import type {LogsOptions, LogsResult} from './types.js'

export {lineMatcher} from './filter.js'
export {projectFunctions, selectFunctions, shortName} from './functions.js'
export {compactJson, parseLambdaMessage} from './message.js'
export {parseSince} from './since.js'
export type {LogLine, LogsOptions, LogsResult} from './types.js'

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

/** `wsapi logs`: the functions' log lines, interleaved in time order, from dev or from CloudWatch Logs. */
export async function showLogs(options: LogsOptions): Promise<LogsResult> {
  const project = options.project ?? loadProject(options.dir, {stage: options.stage})
  return logSource(project, options.deployed) === 'dev'
    ? devLogs({...options, project})
    : deployedLogs({...options, project})
}
