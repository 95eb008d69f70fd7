import type * as CloudWatchLogsSdk from '@aws-sdk/client-cloudwatch-logs'

import {type AwsCallContext, awsErrorCode, toAwsCallError} from './errors.js'
import {type AwsOptions, customEndpoint} from './options.js'

/** One CloudWatch Logs event, in plain types. */
export interface LogEventInfo {
  eventId?: string
  /** The log group's name (or ARN, as Live Tail reports it). */
  logGroup: string
  logStream?: string
  message: string
  /** Epoch milliseconds. */
  timestamp: number
}

export interface FilterLogEventsInput {
  /** Epoch milliseconds, inclusive. */
  endTime?: number
  /** CloudWatch Logs filter pattern syntax. */
  filterPattern?: string
  logGroupName: string
  nextToken?: string
  /** Epoch milliseconds, inclusive. */
  startTime?: number
}

/** What Live Tail sends: a batch of events, or a note that the session started. */
export type LiveTailUpdate = {events: LogEventInfo[]; kind: 'events'} | {kind: 'started'}

/** Thin typed wrapper over the CloudWatch Logs calls `wsapi logs` makes; SDK errors become AwsCallError. */
export class CloudWatchLogsApi {
  constructor(
    private readonly sdk: typeof CloudWatchLogsSdk,
    readonly client: CloudWatchLogsSdk.CloudWatchLogsClient,
    private readonly context: Omit<AwsCallContext, 'operation' | 'service'>,
  ) {}

  /** The endpoint in use when it is not AWS's own (LocalStack…), where Live Tail is usually missing. */
  get endpointUrl(): string | undefined {
    return this.context.endpointUrl
  }

  /** One page of FilterLogEvents, events in time order within the group. */
  async filterLogEvents(input: FilterLogEventsInput): Promise<{events: LogEventInfo[]; nextToken?: string}> {
    const output = await this.call('FilterLogEvents', () =>
      this.client.send(
        new this.sdk.FilterLogEventsCommand({
          endTime: input.endTime,
          filterPattern: input.filterPattern || undefined,
          logGroupName: input.logGroupName,
          nextToken: input.nextToken,
          startTime: input.startTime,
        }),
      ),
    )
    return {
      events: (output.events ?? []).map((event) => ({
        eventId: event.eventId,
        logGroup: input.logGroupName,
        logStream: event.logStreamName,
        message: event.message ?? '',
        timestamp: event.timestamp ?? 0,
      })),
      nextToken: output.nextToken,
    }
  }

  /**
   * A Live Tail session on the groups (given by ARN, as StartLiveTail requires): the updates until the
   * session ends (AWS ends it after 3 hours) or `signal` aborts it.
   */
  async *liveTail(
    logGroupArns: string[],
    filterPattern: string | undefined,
    signal?: AbortSignal,
  ): AsyncGenerator<LiveTailUpdate> {
    const output = await this.call('StartLiveTail', () =>
      this.client.send(
        new this.sdk.StartLiveTailCommand({
          logEventFilterPattern: filterPattern || undefined,
          logGroupIdentifiers: logGroupArns,
        }),
        {abortSignal: signal},
      ),
    )
    try {
      for await (const update of output.responseStream ?? []) {
        if (update.sessionStart) yield {kind: 'started'}
        else if (update.sessionUpdate) {
          yield {
            events: (update.sessionUpdate.sessionResults ?? []).map((event) => ({
              logGroup: event.logGroupIdentifier ?? '',
              logStream: event.logStreamName,
              message: event.message ?? '',
              timestamp: event.timestamp ?? 0,
            })),
            kind: 'events',
          }
        } else if (update.SessionTimeoutException) return
        else if (update.SessionStreamingException) throw update.SessionStreamingException
      }
    } catch (error) {
      if (signal?.aborted) return
      throw toAwsCallError(error, {...this.context, operation: 'StartLiveTail', service: 'CloudWatch Logs'})
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send()
    } catch (error) {
      throw toAwsCallError(error, {...this.context, operation, service: 'CloudWatch Logs'})
    }
  }
}

/** The log group does not exist (yet): Lambda creates /aws/lambda/<name> on the first invocation. */
export function isLogGroupMissing(error: unknown): boolean {
  return (
    awsErrorCode(error) === 'ResourceNotFoundException' ||
    (error as {awsCode?: string})?.awsCode === 'ResourceNotFoundException'
  )
}

/** Live Tail is not offered here (LocalStack and other emulators, some partitions): poll instead. */
export function isLiveTailUnavailable(error: unknown): boolean {
  const code = (error as {awsCode?: string})?.awsCode ?? awsErrorCode(error)
  return (
    [
      'InvalidAction',
      'InvalidOperationException',
      'NotImplemented',
      'NotImplementedException',
      'UnknownOperationException',
      'UnsupportedOperation',
    ].includes(code) ||
    (error as {kind?: string})?.kind === 'not-found' ||
    (error as {kind?: string})?.kind === 'network'
  )
}

/** A CloudWatch Logs client for `region`, with the same credentials chain, retries and endpoint as the other clients. */
export async function createCloudWatchLogsApi(options: AwsOptions, region: string): Promise<CloudWatchLogsApi> {
  const sdk = await import('@aws-sdk/client-cloudwatch-logs')
  const credentials =
    options.credentials ??
    (await import('@aws-sdk/credential-providers')).fromNodeProviderChain({profile: options.profile})
  const client = new sdk.CloudWatchLogsClient({
    credentials,
    endpoint: options.endpointUrl,
    maxAttempts: options.maxAttempts ?? 8,
    profile: options.profile,
    region,
    retryMode: 'adaptive',
  })
  return new CloudWatchLogsApi(sdk, client, {
    endpointUrl: customEndpoint(options, 'CLOUDWATCH_LOGS'),
    profile: options.profile,
    region,
  })
}
