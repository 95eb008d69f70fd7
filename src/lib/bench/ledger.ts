import {type LatencySummary, summarize} from './stats.js'

/**
 * Who should receive each broadcast:
 *   all     every open client, the sender included (what the generated `sendmessage` handler does)
 *   others  every open client except the sender (a common alternative)
 */
export type Expectation = 'all' | 'others'

export const EXPECTATIONS: readonly Expectation[] = ['all', 'others']

/** The clients that should receive a broadcast from `sender`, given the clients open when it was sent. */
export function expectedRecipients(expectation: Expectation, sender: number, open: Iterable<number>): number[] {
  const recipients: number[] = []
  for (const client of open) if (expectation === 'all' || client !== sender) recipients.push(client)
  return recipients
}

/** An arrivals slot of a client the message is not for. */
const NOT_EXPECTED = Number.POSITIVE_INFINITY
/** An arrivals slot of an expected client whose copy has not come yet. */
const PENDING = Number.NaN

interface MessageEntry {
  /** Per client index: its first copy's arrival time, PENDING, or NOT_EXPECTED (8 bytes a client, for big runs). */
  arrivals: Float64Array
  expected: number
  /** Extra copies received by clients that already had the message. */
  duplicates: number
  received: number
  sendFailed: boolean
  sentAt: number
  /** Copies received by clients that were not expected to get it. */
  unexpected: number
}

export interface DeliveryTotals {
  /** Copies beyond the first one a client received. */
  duplicates: number
  /** Deliveries expected: for each message, its expected recipients. */
  expected: number
  /** Expected deliveries that never arrived (including those of messages that could not be sent). */
  lost: number
  /** Expected deliveries that arrived (first copies only). */
  received: number
  /** Copies that reached a client not expected to get them (e.g. the sender, with --expect others). */
  unexpected: number
}

export interface MessageTotals {
  /** Messages every expected recipient received. */
  complete: number
  /** Messages no expected recipient received. */
  lost: number
  /** Messages some but not all expected recipients received. */
  partial: number
  /** Messages whose send failed (the socket had closed or errored). */
  sendFailed: number
  sent: number
}

export interface FanOutLatency {
  /** Per message, from send to each expected recipient's first copy. */
  delivery: LatencySummary
  /** Per message that reached anyone: from send to the first expected recipient. */
  first: LatencySummary
  /** Per complete message: from send to the last expected recipient (undefined while anyone is missing). */
  last: LatencySummary
}

export interface LedgerSummary {
  deliveries: DeliveryTotals
  latency: FanOutLatency
  messages: MessageTotals
}

/**
 * Accounts for each broadcast: who should get it, who did, when (first copy per client), duplicates
 * and copies nobody expected. Times are milliseconds of one monotonic clock (the caller's), so that
 * latencies never mix clocks. Unknown ids (another run's messages) are the caller's to filter.
 */
export class DeliveryLedger {
  /** Clients are numbered 0 … clientCount - 1. */
  constructor(private readonly clientCount: number) {}

  /** Deliveries expected so far. */
  expected = 0
  /** Expected deliveries received so far (first copies). */
  delivered = 0
  private readonly messages = new Map<string, MessageEntry>()
  private pending = 0

  /** Expected deliveries still awaited; 0 when every message sent has reached every expected recipient. */
  get outstanding(): number {
    return this.pending
  }

  /** Records a receipt; false when the id is not a message of this ledger. */
  received(id: string, client: number, at: number): boolean {
    const entry = this.messages.get(id)
    if (!entry) return false
    const arrival = client >= 0 && client < this.clientCount ? entry.arrivals[client] : NOT_EXPECTED
    if (arrival === NOT_EXPECTED) entry.unexpected++
    else if (Number.isNaN(arrival)) {
      entry.arrivals[client] = at
      entry.received++
      this.delivered++
      if (!entry.sendFailed) this.pending--
    } else entry.duplicates++
    return true
  }

  /** Records a message about to be sent at `at`, to be received by `recipients`. */
  sent(id: string, at: number, recipients: readonly number[]): void {
    if (this.messages.has(id)) throw new Error(`message ${id} recorded twice`)
    const arrivals = new Float64Array(this.clientCount).fill(NOT_EXPECTED)
    for (const client of recipients) {
      if (!(client >= 0 && client < this.clientCount))
        throw new RangeError(`client ${client} is not one of 0…${this.clientCount - 1}`)
      arrivals[client] = PENDING
    }

    const expected = recipients.length
    this.messages.set(id, {
      arrivals,
      duplicates: 0,
      expected,
      received: 0,
      sendFailed: false,
      sentAt: at,
      unexpected: 0,
    })
    this.expected += expected
    this.pending += expected
  }

  /**
   * Marks a recorded message whose send failed (the socket closed or errored). Its missing deliveries
   * are no longer awaited, and count as lost.
   */
  sendFailed(id: string): void {
    const entry = this.messages.get(id)
    if (!entry || entry.sendFailed) return
    entry.sendFailed = true
    this.pending -= entry.expected - entry.received
  }

  summary(): LedgerSummary {
    const deliveries: DeliveryTotals = {duplicates: 0, expected: 0, lost: 0, received: 0, unexpected: 0}
    const messages: MessageTotals = {complete: 0, lost: 0, partial: 0, sendFailed: 0, sent: 0}
    const first: number[] = []
    const last: number[] = []
    const delivery: number[] = []
    for (const entry of this.messages.values()) {
      const {expected} = entry
      if (entry.sendFailed) messages.sendFailed++
      else messages.sent++
      deliveries.expected += expected
      deliveries.received += entry.received
      deliveries.lost += expected - entry.received
      deliveries.duplicates += entry.duplicates
      deliveries.unexpected += entry.unexpected
      if (entry.received === expected) messages.complete++
      else if (entry.received === 0) messages.lost++
      else messages.partial++
      if (entry.received === 0) continue
      let earliest = Number.POSITIVE_INFINITY
      let latest = Number.NEGATIVE_INFINITY
      for (const at of entry.arrivals) {
        if (Number.isNaN(at) || at === NOT_EXPECTED) continue
        const latency = at - entry.sentAt
        delivery.push(latency)
        earliest = Math.min(earliest, latency)
        latest = Math.max(latest, latency)
      }

      first.push(earliest)
      if (entry.received === expected) last.push(latest)
    }

    return {
      deliveries,
      latency: {delivery: summarize(delivery), first: summarize(first), last: summarize(last)},
      messages,
    }
  }
}
