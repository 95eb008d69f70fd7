import type {DeliveryTotals, FanOutLatency, MessageTotals} from './ledger.js'
import type {RoomReport} from './room.js'
import type {BenchSettings} from './settings.js'
import type {LatencySummary} from './stats.js'

/** What a `wsapi bench` run found, and whether that passes. */

export interface ConnectionReport {
  /** Milliseconds from opening the socket to the handshake's end, for the clients that connected. */
  connect: LatencySummary
  /** Connections that closed before the run closed them, by close code. */
  dropped: Record<string, number>
  failed: number
  /** Failed connects by reason: `HTTP 403` (the handshake status), `ECONNREFUSED`, `timeout`, … */
  failures: Record<string, number>
  open: number
  requested: number
}

export interface BenchResult {
  connections: ConnectionReport
  deliveries: DeliveryTotals
  durationMs: number
  /** API Gateway error frames by their message ("Forbidden", "Internal server error", …). */
  errorFrames: {byMessage: Record<string, number>; total: number}
  latency: FanOutLatency
  messages: MessageTotals & {planned: number}
  /** Frames that were neither a broadcast of this run nor an error frame; the first few, as received. */
  otherFrames: {samples: string[]; total: number}
  /** True when no problem fails the run. */
  passed: boolean
  /** What fails the run, one line each: lost deliveries (unless allowed), failed connects, error frames. */
  problems: string[]
  /** With --room: who joined; deliveries then count the room's members only. */
  room?: RoomReport
  settings: Omit<BenchSettings, 'routeField'> & {routeField: string}
  /** The run stopped waiting with deliveries still missing. */
  timedOut: boolean
}

/** Counts as text, most frequent first: `HTTP 403 ×3, ECONNREFUSED ×1`. */
export function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => `${key} ×${count}`)
    .join(', ')
}

/** What fails a run: lost deliveries (unless allowed), failed connects or joins, API Gateway error frames. */
export function assessBench(
  result: Omit<BenchResult, 'passed' | 'problems'>,
  options: {allowLoss?: boolean} = {},
): string[] {
  const problems: string[] = []
  const {connections, deliveries, errorFrames, messages} = result
  if (deliveries.lost > 0 && !options.allowLoss) {
    const incomplete = messages.lost + messages.partial
    problems.push(
      `${deliveries.lost} of ${deliveries.expected} deliveries lost (${incomplete} of ${messages.planned} messages did not reach every recipient)`,
    )
  }

  const {room} = result
  if (room && room.joined < room.tried)
    problems.push(
      `${room.tried - room.joined} of ${room.tried} clients could not join room ${room.name} (${formatCounts(room.failures)})`,
    )
  if (connections.failed > 0)
    problems.push(
      `${connections.failed} of ${connections.requested} connections failed (${formatCounts(connections.failures)})`,
    )
  if (errorFrames.total > 0) problems.push(`${errorFrames.total} error frames (${formatCounts(errorFrames.byMessage)})`)
  return problems
}
