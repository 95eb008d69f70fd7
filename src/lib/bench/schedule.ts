import {performance} from 'node:perf_hooks'

/** When things happen in a `wsapi bench` run: the ramp of new connections and each sender's pace. */

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, Math.max(0, ms))
  })

/**
 * Starts `count` tasks, `rate` per second from `started` (task i is due at started + i/rate), and
 * resolves when every one has settled. Each step starts every task that is due, then sleeps until the next is.
 */
export async function ramp(
  count: number,
  rate: number,
  start: (index: number) => Promise<void>,
  started = performance.now(),
): Promise<void> {
  const gapMs = 1000 / rate
  const running: Array<Promise<void>> = []
  for (let next = 0; next < count;) {
    const now = performance.now()
    while (next < count && started + next * gapMs <= now) running.push(start(next++))
    // eslint-disable-next-line no-await-in-loop -- pacing is the point
    if (next < count) await sleep(started + next * gapMs - performance.now())
  }

  await Promise.all(running)
}

/**
 * Has each sender send `messages` messages `intervalMs` apart, the senders staggered evenly across
 * one interval so that their sends do not bunch up; resolves after the last send.
 */
export async function paceSenders(
  senders: number[],
  messages: number,
  intervalMs: number,
  send: (sender: number, sequence: number) => void,
  started = performance.now(),
): Promise<void> {
  await Promise.all(
    senders.map(async (sender, slot) => {
      const offset = (slot * intervalMs) / senders.length
      for (let sequence = 0; sequence < messages; sequence++) {
        // eslint-disable-next-line no-await-in-loop -- each sender keeps its own pace
        await sleep(started + offset + sequence * intervalMs - performance.now())
        send(sender, sequence)
      }
    }),
  )
}
