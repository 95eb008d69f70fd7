import type {AwsOptions} from '../aws/index.js'
import type {Output} from '../output.js'
import type {ProjectModel} from '../project/index.js'

/** One line of `wsapi logs` (also its --json NDJSON record). */
export interface LogLine {
  /** Short function name (sendmessage), or "dev" for dev's own lines. */
  function: string
  level?: string
  /** The function's logical id, when the line is a function's. */
  logicalId?: string
  /** Compact: JSON on one line, the runtime's timestamp/request id/level prefix taken off. Not escaped for terminals. */
  message: string
  requestId?: string
  source: 'cloudwatch' | 'dev'
  /** ISO 8601. */
  time: string
}

export interface LogsOptions {
  aws: AwsOptions
  dir: string
  /** The project of `dir`, when the caller loaded it already (for `stage`): it is then not read again. */
  project?: ProjectModel
  /** CloudWatch Logs filter pattern. */
  filter?: string
  /** Keep going, printing new lines as they come, until `signal` aborts. */
  follow?: boolean
  /** Function names as given on the command line (logical id, short name or route key). */
  functions: string[]
  /** Called with each line, in time order. */
  onLine: (line: LogLine) => void
  output: Output
  /** Polling interval to start with, in ms (doubles while nothing comes, up to maxPollIntervalMs). */
  pollIntervalMs?: number
  maxPollIntervalMs?: number
  signal?: AbortSignal
  /** Epoch ms: lines from then on. */
  since: number
  stage?: string
  /** Read the deployed stage's logs even if a dev server runs (an AWS flag or --stage was given). */
  deployed?: boolean
}

export interface LogsResult {
  functions: string[]
  lines: number
  source: 'cloudwatch' | 'dev'
  /** The stack (deployed) or the dev log file (dev). */
  target: string
}
