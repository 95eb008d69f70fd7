import type {ActivityListener, ActivityStart, ActivitySummary, StackActivity} from '../../src/lib/deploy/index.js'

/** An ActivityListener that keeps everything it is told, for assertions. */
export class RecordingActivity implements ActivityListener {
  readonly activities: StackActivity[] = []
  readonly starts: ActivityStart[] = []
  readonly stops: ActivitySummary[] = []

  activity(activity: StackActivity): void {
    this.activities.push(activity)
  }

  /** `logicalId STATUS` of every event, in the order shown. */
  lines(): string[] {
    return this.activities.map((activity) => `${activity.event.logicalId} ${activity.event.status}`)
  }

  start(info: ActivityStart): void {
    this.starts.push(info)
  }

  stop(summary: ActivitySummary): void {
    this.stops.push(summary)
  }
}
