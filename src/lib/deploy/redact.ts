import type {Output} from '../output.js'
import type {ActivityListener} from './stack-activity-monitor.js'

export const REDACTED = '****'

/**
 * The secrets of one run (NoEcho parameter values). Whatever wsapi prints passes through `redact`, so a
 * secret echoed back by AWS (in a failure reason, an error message) is never shown or logged.
 */
export class Secrets {
  private readonly values = new Set<string>()

  add(...values: string[]): void {
    for (const value of values) if (value.length > 0) this.values.add(value)
  }

  /** Replaces every secret in the text; the longest first, so one secret inside another is hidden whole. */
  redact(text: string): string {
    let result = text
    for (const value of [...this.values].sort((a, b) => b.length - a.length))
      result = result.split(value).join(REDACTED)
    return result
  }

  output(output: Output): Output {
    return {
      debug: (message) => output.debug(this.redact(message)),
      error: (message) => output.error(this.redact(message)),
      info: (message) => output.info(this.redact(message)),
      success: (message) => output.success(this.redact(message)),
      warn: (message) => output.warn(this.redact(message)),
    }
  }

  listener(listener: ActivityListener): ActivityListener {
    return {
      activity: (activity) => {
        const {reason} = activity.event
        listener.activity(
          reason === undefined ? activity : {...activity, event: {...activity.event, reason: this.redact(reason)}},
        )
      },
      start: (info) => listener.start(info),
      stop: (summary) => listener.stop(summary),
    }
  }

  /** Redacts an error's message in place (and returns it), for errors on their way to the user. */
  error<T>(error: T): T {
    if (error instanceof Error) error.message = this.redact(error.message)
    return error
  }
}
