import {checkRoomName} from '../connect/slash.js'
import {UsageError} from '../errors.js'
import type {PathSegment} from '../project/index.js'
import type {Expectation} from './ledger.js'

/** What one `wsapi bench` run does: who connects, who sends what, how fast, and how long it waits. */
export interface BenchSettings {
  /** Connections to open. */
  clients: number
  /** Who should receive each broadcast. */
  expect: Expectation
  /** Milliseconds between two messages of one sender (senders are staggered across it). */
  intervalMs: number
  /** Broadcasts each sender sends. */
  messages: number
  /** New connections per second while ramping up. */
  rate: number
  /** --room: every client joins this room first, and messages go to it. */
  room?: string
  route: string
  routeField: PathSegment[]
  /** Clients that send. */
  senders: number
  /** How long a handshake may take, and how long to wait for stragglers after the last send. */
  timeoutMs: number
  url: string
}

/** Checks the numbers a run needs; a bad one throws a UsageError naming its flag. */
export function validateBenchSettings(
  settings: Pick<BenchSettings, 'clients' | 'intervalMs' | 'messages' | 'rate' | 'room' | 'senders' | 'timeoutMs'>,
): void {
  const checks: Array<[boolean, string]> = [
    [
      Number.isInteger(settings.clients) && settings.clients >= 1,
      `--clients must be a whole number of at least 1, not ${settings.clients}`,
    ],
    [
      Number.isInteger(settings.senders) && settings.senders >= 1,
      `--senders must be a whole number of at least 1, not ${settings.senders}`,
    ],
    [
      settings.senders <= settings.clients,
      `--senders ${settings.senders} is more than --clients ${settings.clients}: senders are some of the clients`,
    ],
    [
      Number.isInteger(settings.messages) && settings.messages >= 1,
      `--messages must be a whole number of at least 1, not ${settings.messages}`,
    ],
    [settings.rate > 0, `--rate must be above 0 connections per second, not ${settings.rate}`],
    [settings.intervalMs >= 0, `--interval must be 0 ms or more, not ${settings.intervalMs}`],
    [settings.timeoutMs > 0, `--timeout must be above 0, not ${settings.timeoutMs / 1000}`],
  ]
  const failed = checks.find(([ok]) => !ok)
  if (failed) throw new UsageError(`${failed[1]}.`, {code: 'INVALID_BENCH_SETTING'})
  if (settings.room !== undefined) checkRoomName(settings.room, '--room')
}
