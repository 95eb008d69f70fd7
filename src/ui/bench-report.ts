import {
  type BenchProgress,
  type BenchResult,
  formatCounts as counts,
  type LatencySummary,
  type RoomReport,
} from '../lib/bench/index.js'
import {terminalLine} from '../lib/terminal-text.js'
import {colors, table} from './output.js'

/** Milliseconds with as many decimals as they deserve: 0.42 ms, 12.3 ms, 1234 ms. */
export function formatMs(ms: null | number): string {
  if (ms === null) return '—'
  if (ms < 10) return `${ms.toFixed(2)} ms`
  if (ms < 100) return `${ms.toFixed(1)} ms`
  return `${Math.round(ms)} ms`
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

/**
 * Where each phase sits on the one bar: connecting fills the first fifth, joining a room (--room) a
 * sliver, sending up to four fifths, waiting for the last deliveries the rest. Each phase's own measure only grows, and each starts where
 * the previous one ended, so the bar never goes backwards (the phases' own percentages would: 30 % of
 * the sends, then 28 % of the deliveries).
 */
const PHASE_SPAN = {
  closing: [1, 1],
  connecting: [0, 0.2],
  joining: [0.2, 0.25],
  sending: [0.25, 0.8],
  waiting: [0.8, 1],
} as const

/** The progress bar's position and label for a progress report. */
export function progressLine(progress: BenchProgress): {fraction: number; label: string} {
  const [start, end] = PHASE_SPAN[progress.phase]
  const at = (done: number, of: number) => start + (end - start) * Math.min(1, done / Math.max(1, of))
  switch (progress.phase) {
    case 'connecting': {
      const settled = progress.connected + progress.failed
      const failed = progress.failed > 0 ? colors.red(` (${progress.failed} failed)`) : ''
      return {
        fraction: at(settled, progress.clients),
        label: `connecting ${progress.connected}/${progress.clients} clients${failed}`,
      }
    }

    case 'joining': {
      return {
        fraction: at(progress.joined ?? 0, progress.connected),
        label: `joining ${progress.joined ?? 0}/${progress.connected} clients to the room`,
      }
    }

    case 'sending': {
      return {
        fraction: at(progress.sent, progress.planned),
        label: `sending ${progress.sent}/${progress.planned} messages · ${progress.received}/${progress.expected} delivered`,
      }
    }

    default: {
      return {
        fraction: at(progress.received, progress.expected),
        label: `${progress.phase} · ${progress.received}/${progress.expected} delivered`,
      }
    }
  }
}

const EXPECTATION_TEXT = {all: 'every client, the sender included', others: 'every client but the sender'}
const ROOM_EXPECTATION_TEXT = {
  all: 'every member of the room, the sender included',
  others: 'every member of the room but the sender',
}

/** `lobby: 10 of 10 joined`, with why the others did not (the API's words, shown not obeyed). */
function roomRow(room: RoomReport): string[] {
  const refused = room.tried - room.joined
  const why = refused > 0 ? colors.red(` · ${refused} could not (${terminalLine(counts(room.failures))})`) : ''
  return ['Room', `${terminalLine(room.name)}: ${room.joined} of ${room.tried} joined${why}`]
}

/** The end-of-run summary: what was measured, delivery accounting, and the latency table. */
export function renderBenchSummary(result: BenchResult, source?: string): string {
  const {connections, deliveries, errorFrames, messages, otherFrames, settings} = result
  const percent = deliveries.expected === 0 ? 100 : (100 * deliveries.received) / deliveries.expected
  const bad = (count: number, text: string) => (count > 0 ? colors.red(text) : text)
  const rows: string[][] = [
    ['Target', `${settings.url}${source ? colors.dim(` (${source})`) : ''}`],
    [
      'Route',
      `${settings.route} via "${settings.routeField}"; each ${result.room ? 'message' : 'broadcast'} should reach ${(result.room ? ROOM_EXPECTATION_TEXT : EXPECTATION_TEXT)[settings.expect]}`,
    ],
    ...(result.room ? [roomRow(result.room)] : []),
    [
      'Connections',
      [
        `${connections.open} of ${connections.requested} open at ${settings.rate}/s`,
        // Failure reasons and samples quote the server (error texts, frames it sent): shown, not obeyed.
        bad(
          connections.failed,
          `${connections.failed} failed${connections.failed > 0 ? ` (${terminalLine(counts(connections.failures))})` : ''}`,
        ),
        `${Object.values(connections.dropped).reduce((a, b) => a + b, 0)} dropped${Object.keys(connections.dropped).length > 0 ? ` (close ${counts(connections.dropped)})` : ''}`,
      ].join(' · '),
    ],
    [
      'Messages',
      [
        `${messages.sent + messages.sendFailed} of ${messages.planned} sent`,
        `${messages.complete} complete`,
        bad(messages.partial, `${messages.partial} partial`),
        bad(messages.lost, `${messages.lost} lost`),
        ...(messages.sendFailed > 0 ? [colors.red(`${messages.sendFailed} failed to send`)] : []),
      ].join(' · '),
    ],
    [
      'Deliveries',
      [
        `${deliveries.received} of ${deliveries.expected} received (${percent.toFixed(2)} %)`,
        bad(deliveries.lost, `${deliveries.lost} lost`),
        bad(deliveries.duplicates, plural(deliveries.duplicates, 'duplicate')),
        ...(deliveries.unexpected > 0 ? [colors.yellow(`${deliveries.unexpected} unexpected`)] : []),
      ].join(' · '),
    ],
    [
      'Error frames',
      bad(
        errorFrames.total,
        `${errorFrames.total}${errorFrames.total > 0 ? ` (${terminalLine(counts(errorFrames.byMessage))})` : ''}`,
      ),
    ],
    [
      'Other frames',
      `${otherFrames.total}${otherFrames.samples.length > 0 ? colors.dim(`  e.g. ${terminalLine(otherFrames.samples[0])}`) : ''}`,
    ],
  ]
  const latencyRow = (name: string, summary: LatencySummary) => [
    name,
    String(summary.count),
    ...[summary.p50, summary.p95, summary.p99, summary.max].map((ms) => formatMs(ms)),
  ]
  const latency = table(
    [
      latencyRow('Connect', connections.connect),
      latencyRow('First recipient', result.latency.first),
      latencyRow('Last recipient', result.latency.last),
      latencyRow('Each delivery', result.latency.delivery),
    ],
    {header: ['Latency', 'count', 'p50', 'p95', 'p99', 'max']},
  )
  const notes = [
    `Fan-out latency runs from the send to a recipient's first copy (one monotonic clock); "last recipient" counts complete messages only.`,
    ...(result.timedOut
      ? [
          colors.yellow(
            `Stopped waiting ${settings.timeoutMs / 1000} s after the last send with deliveries missing (--timeout).`,
          ),
        ]
      : []),
  ]
  return [table(rows), '', latency, '', ...notes.map((note) => colors.dim(note))].join('\n')
}
