import type {DeliveryCounts} from './fanout.js'

/** METRICS_NAMESPACE unless set. */
export const DEFAULT_METRICS_NAMESPACE = 'wsapi'

export interface DeliverySummary {
  /** API Gateway's id of the message that started the broadcast. */
  broadcastId: string
  counts: DeliveryCounts
  /** From the message's arrival at API Gateway to the end of this part (ms): its Maximum is the time to last delivery. */
  fanoutMs: number
  /** Time spent in this invocation (ms). */
  ms: number
  /** `broadcast`: the route handler's line; `shard`: a fan-out invocation's line. */
  msg: 'broadcast' | 'shard'
  /** Anything else worth a field of its own (the sender, the shard, hand-offs). */
  properties?: Record<string, unknown>
  route: string
}

/**
 * One log line that is both the summary of a delivery and its CloudWatch metrics, in the embedded metric
 * format: CloudWatch Logs turns the members that `_aws` names into metrics, so no API call is made
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * Metrics, per Route: Delivered, Gone, Throttled (429 answers), Failed, and FanoutDuration (ms).
 */
export function deliveryLogLine(
  summary: DeliverySummary,
  env: NodeJS.ProcessEnv = process.env,
  now: number = Date.now(),
): string {
  const {counts} = summary
  return JSON.stringify({
    _aws: {
      CloudWatchMetrics: [
        {
          Dimensions: [['Route']],
          Metrics: [
            {Name: 'Delivered', Unit: 'Count'},
            {Name: 'Gone', Unit: 'Count'},
            {Name: 'Throttled', Unit: 'Count'},
            {Name: 'Failed', Unit: 'Count'},
            {Name: 'FanoutDuration', Unit: 'Milliseconds'},
          ],
          Namespace: env.METRICS_NAMESPACE?.trim() || DEFAULT_METRICS_NAMESPACE,
        },
      ],
      Timestamp: now,
    },
    msg: summary.msg,
    broadcastId: summary.broadcastId,
    Route: summary.route,
    ...summary.properties,
    Delivered: counts.sent,
    Gone: counts.gone,
    Throttled: counts.throttled,
    Failed: counts.failed,
    FanoutDuration: summary.fanoutMs,
    ms: summary.ms,
  })
}
