import type {CloudFormationApi, StackEventInfo} from '../aws/index.js'

export interface StackEventPollerOptions {
  /** Events up to and including this one are old news (the newest event before the operation started). */
  afterEventId?: string
  /** Ignore events older than this (when there is no marker event, e.g. joining an operation already running). */
  since?: Date
}

/**
 * Reads a stack's new events. DescribeStackEvents pages newest first; the poller pages until it
 * meets an event it has seen (or the marker, or one older than `since`), and returns what is new,
 * oldest first. Poll by stack id, not name: a deleted stack's events are found only by id.
 */
export class StackEventPoller {
  private readonly seen = new Set<string>()

  constructor(
    private readonly cloudFormation: CloudFormationApi,
    private readonly stackId: string,
    private readonly options: StackEventPollerOptions = {},
  ) {}

  /** The newest event id of a stack (the marker for a poller started next), or undefined if it has none. */
  static async newestEventId(cloudFormation: CloudFormationApi, stackId: string): Promise<string | undefined> {
    const page = await cloudFormation.describeStackEvents(stackId)
    return page.events[0]?.eventId
  }

  async poll(): Promise<StackEventInfo[]> {
    const fresh: StackEventInfo[] = []
    let nextToken: string | undefined
    pages: do {
      // eslint-disable-next-line no-await-in-loop
      const page = await this.cloudFormation.describeStackEvents(this.stackId, nextToken)
      for (const event of page.events) {
        if (this.seen.has(event.eventId) || event.eventId === this.options.afterEventId) break pages
        if (this.options.since && event.timestamp < this.options.since) break pages
        // Events may arrive between two pages of one poll: never report one twice.
        if (fresh.some((known) => known.eventId === event.eventId)) continue
        fresh.push(event)
      }

      nextToken = page.nextToken
    } while (nextToken)

    for (const event of fresh) this.seen.add(event.eventId)
    return fresh.reverse()
  }
}
