import {setTimeout as delay} from 'node:timers/promises'

/** Waits `ms`; resolves early (false) when the signal aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false
  try {
    await delay(ms, undefined, {signal})
    return true
  } catch {
    return false
  }
}
