import {loadProject} from '../project/index.js'
import {deployedLogs} from './deployed.js'
import {devLogs} from './local.js'
import {logSource} from './source.js'
import type {LogsOptions, LogsResult} from './types.js'

export {lineMatcher} from './filter.js'
export {projectFunctions, selectFunctions, shortName} from './functions.js'
export {compactJson, parseLambdaMessage} from './message.js'
export {parseSince} from './since.js'
export {logSource} from './source.js'
export type {LogLine, LogsOptions, LogsResult} from './types.js'

/** `wsapi logs`: the functions' log lines, interleaved in time order, from dev or from CloudWatch Logs. */
export async function showLogs(options: LogsOptions): Promise<LogsResult> {
  const project = options.project ?? loadProject(options.dir, {stage: options.stage})
  return logSource(project, options.deployed) === 'dev'
    ? devLogs({...options, project})
    : deployedLogs({...options, project})
}
