import {AwsCallError, type CloudFormationApi, type StackEventInfo} from '../aws/index.js'
import {isRootCauseCandidate, isSettled} from './stack-status.js'
import {StackEventPoller, type StackEventPollerOptions} from './stack-event-poller.js'

export interface ActivityStart {
  /** What is happening: CREATE, UPDATE, DELETE, or WAIT (for an operation someone else started). */
  operation: string
  stackName: string
  /** Resources the operation touches (the progress denominator; 0 when unknown). */
  total: number
}

export interface StackActivity {
  /** Resources settled so far (complete, failed or skipped), at most `total`. */
  done: number
  elapsedMs: number
  event: StackEventInfo
  total: number
}

export interface ActivitySummary {
  done: number
  elapsedMs: number
  total: number
}

/** Receives a stack operation's progress; src/ui draws it (a progress bar in a TTY, plain lines otherwise). */
export interface ActivityListener {
  activity(activity: StackActivity): void
  start(info: ActivityStart): void
  stop(summary: ActivitySummary): void
}

export const silentActivity: ActivityListener = {
  activity() {},
  start() {},
  stop() {},
}

export interface StackActivityMonitorOptions extends StackEventPollerOptions {
  cloudFormation: CloudFormationApi
  listener: ActivityListener
  operation: string
  /** @default 2000 */
  pollIntervalMs?: number
  stackId: string
  stackName: string
  total: number
}

/**
 * Streams a stack operation's events to a listener while the caller waits for the operation:
 *
 *   monitor.start(); try { await waitForStack(...) } finally { await monitor.stop() }
 *
 * stop() polls once more to the end, or the failure reason that ended the operation may never be shown.
 * A throttled poll doubles the interval (up to 16×) instead of failing: the events are for display,
 * and the wait, not the monitor, decides how the operation ended.
 */
export class StackActivityMonitor {
  /** FAILED resource events that explain the failure, oldest first. */
  readonly failures: StackEventInfo[] = []
  /** Every event seen, oldest first. */
  readonly events: StackEventInfo[] = []
  private delay: number
  private readonly done = new Set<string>()
  private inFlight: Promise<void> | undefined
  private readonly poller: StackEventPoller
  private running = false
  private startedAt = 0
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly options: StackActivityMonitorOptions) {
    this.poller = new StackEventPoller(options.cloudFormation, options.stackId, options)
    this.delay = this.interval
  }

  /** The reasons to show when the operation failed: the first FAILED resources, else the stack's own reason. */
  rootCause(): StackEventInfo[] {
    if (this.failures.length > 0) return this.failures.slice(0, 5)
    const stackReasons = this.events.filter(
      (event) =>
        event.resourceType === 'AWS::CloudFormation::Stack' &&
        event.reason &&
        event.reason !== 'User Initiated' &&
        /FAILED|ROLLBACK/.test(event.status),
    )
    return stackReasons.slice(0, 1)
  }

  start(): void {
    this.running = true
    this.startedAt = Date.now()
    this.options.listener.start({
      operation: this.options.operation,
      stackName: this.options.stackName,
      total: this.options.total,
    })
    this.schedule()
  }

  async stop(): Promise<void> {
    this.running = false
    clearTimeout(this.timer)
    await this.inFlight
    await this.read()
    this.options.listener.stop({done: this.progress, elapsedMs: Date.now() - this.startedAt, total: this.options.total})
  }

  private get interval(): number {
    return this.options.pollIntervalMs ?? 2000
  }

  private get progress(): number {
    return this.options.total > 0 ? Math.min(this.done.size, this.options.total) : this.done.size
  }

  private async read(): Promise<void> {
    let events: StackEventInfo[]
    try {
      events = await this.poller.poll()
      this.delay = this.interval
    } catch (error) {
      if (AwsCallError.isAwsCallError(error) && error.kind === 'throttled')
        this.delay = Math.min(this.delay * 2, this.interval * 16)
      return
    }

    for (const event of events) {
      this.events.push(event)
      const isStack = event.resourceType === 'AWS::CloudFormation::Stack' && event.logicalId === this.options.stackName
      if (!isStack && isSettled(event.status)) this.done.add(event.logicalId)
      if (isRootCauseCandidate(event)) this.failures.push(event)
      this.options.listener.activity({
        done: this.progress,
        elapsedMs: Date.now() - this.startedAt,
        event,
        total: this.options.total,
      })
    }
  }

  private schedule(): void {
    if (!this.running) return
    this.timer = setTimeout(() => {
      this.inFlight = this.read().finally(() => {
        this.inFlight = undefined
        this.schedule()
      })
    }, this.delay)
  }
}
