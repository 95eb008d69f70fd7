import {
  type CloudWatchLogsApi,
  createAwsSession,
  createCloudWatchLogsApi,
  isLiveTailUnavailable,
  isLogGroupMissing,
  type LogEventInfo,
  type StackResourceInfo,
} from '../aws/index.js'
import {notDeployedError, resolveStackTarget, stackTargetOf} from '../deploy/target.js'
import {ExitCode, WsapiError} from '../errors.js'
import type {ProjectModel} from '../project/index.js'
import {type LogFunction, selectFunctions, shortName} from './functions.js'
import {parseLambdaMessage} from './message.js'
import {sleep} from './sleep.js'
import type {LogLine, LogsOptions, LogsResult} from './types.js'

/** FilterLogEvents pages read per group for history at most; past that, narrower --since or --filter. */
const MAX_HISTORY_EVENTS = 10_000
const DEFAULT_POLL_MS = 1000
const DEFAULT_MAX_POLL_MS = 15_000

/**
 * The stack's functions and their log groups: each function's LoggingConfig.LogGroup when the template
 * gives one (wsapi's templates do, with a retention), else Lambda's default /aws/lambda/<function name>.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 */
export function stackFunctions(project: ProjectModel, resources: StackResourceInfo[]): LogFunction[] {
  const physical = new Map(resources.map((resource) => [resource.logicalId, resource.physicalId]))
  return resources
    .filter((resource) => resource.resourceType === 'AWS::Lambda::Function' && resource.physicalId)
    .map((resource) => {
      const properties = (project.template.Resources?.[resource.logicalId]?.Properties ?? {}) as {
        LoggingConfig?: {LogGroup?: unknown}
      }
      const configured = properties.LoggingConfig?.LogGroup
      const ref =
        configured && typeof configured === 'object' && 'Ref' in configured
          ? physical.get(String((configured as {Ref: unknown}).Ref))
          : undefined
      const logGroup = ref ?? (typeof configured === 'string' ? configured : `/aws/lambda/${resource.physicalId}`)
      return {
        logGroup,
        logicalId: resource.logicalId,
        name: shortName(resource.logicalId),
        routes: project.routes.filter((route) => route.functionId === resource.logicalId).map((route) => route.key),
      }
    })
}

export function toLogLine(fn: LogFunction, event: LogEventInfo): LogLine {
  const parsed = parseLambdaMessage(event.message)
  return {
    function: fn.name,
    ...(parsed.level ? {level: parsed.level} : {}),
    logicalId: fn.logicalId,
    message: parsed.message,
    ...(parsed.requestId ? {requestId: parsed.requestId} : {}),
    source: 'cloudwatch',
    time: new Date(event.timestamp).toISOString(),
  }
}

interface GroupCursor {
  /** Events at `after` already shown (FilterLogEvents' startTime is inclusive). */
  seen: Set<string>
  /** Epoch ms of the last event shown. */
  after: number
}

/** Every event of the group from `start` (all pages, up to `cap`); undefined when the group does not exist. */
async function groupEvents(
  logs: CloudWatchLogsApi,
  fn: LogFunction,
  start: number,
  filter: string | undefined,
  cap: number,
): Promise<LogEventInfo[] | undefined> {
  const events: LogEventInfo[] = []
  let nextToken: string | undefined
  try {
    do {
      // eslint-disable-next-line no-await-in-loop
      const page = await logs.filterLogEvents({
        filterPattern: filter,
        logGroupName: fn.logGroup!,
        nextToken,
        startTime: start,
      })
      events.push(...page.events)
      nextToken = page.nextToken
    } while (nextToken && events.length < cap)
  } catch (error) {
    if (isLogGroupMissing(error)) return undefined
    throw error
  }

  return events
}

/** Interleaves the groups' events in time order (stable: same millisecond keeps group order). */
function interleave(
  batches: Array<{events: LogEventInfo[]; fn: LogFunction}>,
): Array<{event: LogEventInfo; fn: LogFunction}> {
  return batches
    .flatMap(({events, fn}) => events.map((event) => ({event, fn})))
    .sort((a, b) => a.event.timestamp - b.event.timestamp)
}

function advance(cursor: GroupCursor, events: LogEventInfo[]): void {
  for (const event of events) {
    if (event.timestamp > cursor.after) {
      cursor.after = event.timestamp
      cursor.seen = new Set()
    }

    if (event.timestamp === cursor.after && event.eventId) cursor.seen.add(event.eventId)
  }
}

/**
 * Follows by polling FilterLogEvents from where each group stopped: every `pollIntervalMs` while lines
 * come, backing off (doubling, up to `maxPollIntervalMs`) while none do.
 */
export async function pollLogs(
  logs: CloudWatchLogsApi,
  fns: LogFunction[],
  cursors: Map<LogFunction, GroupCursor>,
  options: LogsOptions,
  emit: (line: LogLine) => void,
): Promise<void> {
  // One FilterLogEvents per function per round: with many functions, rounds are spaced so as to stay well under
  // the call's quota of 5 requests per second per account and region (CloudWatch Logs service quotas).
  const base = options.pollIntervalMs ?? Math.max(DEFAULT_POLL_MS, 400 * fns.length)
  const max = Math.max(base, options.maxPollIntervalMs ?? DEFAULT_MAX_POLL_MS)
  let interval = base
  // eslint-disable-next-line no-await-in-loop
  while (await sleep(interval, options.signal)) {
    // eslint-disable-next-line no-await-in-loop
    const batches = await Promise.all(
      fns.map(async (fn) => {
        const cursor = cursors.get(fn)!
        const events = (await groupEvents(logs, fn, cursor.after, options.filter, MAX_HISTORY_EVENTS)) ?? []
        const fresh = events.filter(
          (event) => event.timestamp > cursor.after || !event.eventId || !cursor.seen.has(event.eventId),
        )
        advance(cursor, fresh)
        return {events: fresh, fn}
      }),
    )
    if (options.signal?.aborted) return
    const merged = interleave(batches)
    for (const {event, fn} of merged) emit(toLogLine(fn, event))
    interval = merged.length > 0 ? base : Math.min(interval * 2, max)
  }
}

/** ARN of a log group, as StartLiveTail wants it. */
export function logGroupArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:logs:${region}:${account}:log-group:${name}`
}

/**
 * Follows with CloudWatch Logs Live Tail (a streamed session, restarted when AWS ends it after 3 hours).
 * Returns false, before showing anything, when Live Tail is not available here.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html
 */
export async function liveTailLogs(
  logs: CloudWatchLogsApi,
  fns: LogFunction[],
  arns: string[],
  options: LogsOptions,
  emit: (line: LogLine) => void,
): Promise<boolean> {
  const byGroup = new Map<string, LogFunction>()
  for (const [index, fn] of fns.entries()) {
    byGroup.set(arns[index], fn)
    byGroup.set(fn.logGroup!, fn)
  }

  const owner = (identifier: string) =>
    byGroup.get(identifier) ??
    byGroup.get(identifier.replace(/:\*$/, '')) ??
    fns.find((fn) => identifier.endsWith(`:log-group:${fn.logGroup}`))
  let started = false
  while (!options.signal?.aborted) {
    try {
      // eslint-disable-next-line no-await-in-loop
      for await (const update of logs.liveTail(arns, options.filter, options.signal)) {
        started = true
        if (update.kind !== 'events') continue
        const lines = update.events
          .map((event) => ({event, fn: owner(event.logGroup)}))
          .filter((entry): entry is {event: LogEventInfo; fn: LogFunction} => entry.fn !== undefined)
          .sort((a, b) => a.event.timestamp - b.event.timestamp)
        for (const {event, fn} of lines) emit(toLogLine(fn, event))
      }
    } catch (error) {
      if (!started && (isLiveTailUnavailable(error) || (error as {kind?: string}).kind === 'access-denied')) {
        if ((error as {kind?: string}).kind === 'access-denied')
          options.output.warn(`${(error as Error).message.replace(/\.$/, '')}; polling FilterLogEvents instead.`)
        options.output.debug(
          `Live Tail is not available (${error instanceof Error ? error.message : String(error)}): polling instead.`,
        )
        return false
      }

      throw error
    }

    // The session ended (AWS ends each after 3 hours, or it was aborted): start another unless aborted.
    started = true
  }

  return true
}

/** `wsapi logs` against the deployed stage: history from --since, then (--follow) new lines as they come. */
export async function deployedLogs(options: LogsOptions): Promise<LogsResult> {
  const target = options.project ? stackTargetOf(options.project) : resolveStackTarget(options.dir, options.stage)
  const session = await createAwsSession(options.aws)
  let logs: CloudWatchLogsApi | undefined
  let count = 0
  const emit = (line: LogLine) => {
    count++
    options.onLine(line)
  }

  try {
    const stack = await session.cloudFormation.describeStack(target.stackName)
    if (!stack || stack.status === 'REVIEW_IN_PROGRESS') {
      throw notDeployedError(
        target,
        session.region,
        `${target.stackName} is not deployed in ${session.region}: deploy it with \`wsapi deploy${options.stage ? ` --stage ${options.stage}` : ''}\`, or pass the --stage / --region it is in.`,
      )
    }

    const all = stackFunctions(target.project, await session.cloudFormation.listStackResources(stack.stackId))
    if (all.length === 0)
      throw new WsapiError(
        `${target.stackName} has no Lambda functions (yet): deploy the project with \`wsapi deploy\`.`,
        {code: 'NO_FUNCTIONS', exit: ExitCode.failure},
      )
    const fns = selectFunctions(all, options.functions)
    logs = await createCloudWatchLogsApi(options.aws, session.region)

    const batches = await Promise.all(
      fns.map(async (fn) => ({
        events: await groupEvents(logs!, fn, options.since, options.filter, MAX_HISTORY_EVENTS),
        fn,
      })),
    )
    const missing = batches.filter((batch) => batch.events === undefined).map((batch) => batch.fn)
    if (missing.length === fns.length && !options.follow) {
      throw new WsapiError(
        `No logs yet: ${missing.length === 1 ? `the log group ${missing[0].logGroup} does not exist` : `none of the log groups (${missing.map((fn) => fn.logGroup).join(', ')}) exists`} in ${session.region}; Lambda creates it when the function first runs: use the API (e.g. \`wsapi connect\`), then re-run, or add --follow to wait.`,
        {code: 'NO_LOG_GROUP', exit: ExitCode.failure},
      )
    }

    for (const fn of missing)
      options.output.warn(
        `No log group ${fn.logGroup} yet (${fn.name} has not run): it appears when the function first runs.`,
      )
    for (const batch of batches) {
      if (batch.events && batch.events.length >= MAX_HISTORY_EVENTS) {
        options.output.warn(
          `${batch.fn.name}: only the first ${MAX_HISTORY_EVENTS} lines since --since are shown: narrow it with a later --since or a --filter.`,
        )
      }
    }

    const history = batches.map((batch) => ({events: batch.events ?? [], fn: batch.fn}))
    for (const {event, fn} of interleave(history)) emit(toLogLine(fn, event))
    if (options.follow) {
      const cursors = new Map(
        history.map(({events, fn}) => {
          const cursor: GroupCursor = {after: options.since, seen: new Set()}
          advance(cursor, events)
          return [fn, cursor] as const
        }),
      )
      let live = false
      // Live Tail is AWS's; emulators (a custom --endpoint-url, e.g. LocalStack) lack it, and it needs every group to exist.
      if (!logs.endpointUrl && missing.length === 0) {
        const {arn} = await session.identity()
        const [, partition = 'aws', , , account = ''] = arn.split(':')
        live = await liveTailLogs(
          logs,
          fns,
          fns.map((fn) => logGroupArn(partition, session.region, account, fn.logGroup!)),
          options,
          emit,
        )
      }

      if (!live) await pollLogs(logs, fns, cursors, options, emit)
    }

    return {functions: fns.map((fn) => fn.name), lines: count, source: 'cloudwatch', target: target.stackName}
  } finally {
    session.destroy()
    logs?.client.destroy()
  }
}
