import {existsSync} from 'node:fs'

import {devLogPath} from '../dev/log.js'
import {loadProject, readDevStates, readOutputsState} from '../project/index.js'
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
export function logSource(dir: string, deployed: boolean | undefined): 'cloudwatch' | 'dev' {
  if (deployed) return 'cloudwatch'
  const project = loadProject(dir)
  if (readDevStates(project.dir).length > 0) return 'dev'
  return existsSync(devLogPath(project.dir)) && !readOutputsState(project.dir, project.stage.name) ? 'dev' : 'cloudwatch'
}

/** `wsapi logs`: the functions' log lines, interleaved in time order, from dev or from CloudWatch Logs. */
export async function showLogs(options: LogsOptions): Promise<LogsResult> {
  return logSource(options.dir, options.deployed) === 'dev' ? devLogs(options) : deployedLogs(options)
}
