// What the fan-out benchmarks' client processes share: opening many WebSocket clients.
import WebSocket from 'ws'

/**
 * Opens `count` clients to `url`, `batch` at a time, so that handshakes queue behind $connect in bounded numbers.
 * Returns the open sockets, and the failed handshakes counted by HTTP status or error code.
 */
export async function openInBatches(url, count, batch) {
  const sockets = []
  const failures = {}
  const fail = (key) => (failures[key] = (failures[key] ?? 0) + 1)
  for (let done = 0; done < count; done += batch) {
    // eslint-disable-next-line no-await-in-loop -- batches, so that handshakes queue behind $connect in bounded numbers
    const opened = await Promise.all(
      Array.from(
        {length: Math.min(batch, count - done)},
        () =>
          new Promise((resolve) => {
            const ws = new WebSocket(url)
            ws.once('open', () => resolve(ws))
            ws.once('unexpected-response', (_request, response) => {
              fail(response.statusCode)
              resolve(undefined)
            })
            ws.once('error', (error) => {
              fail(error.code ?? error.message)
              resolve(undefined)
            })
          }),
      ),
    )
    for (const ws of opened) if (ws) sockets.push(ws)
  }

  return {failures, sockets}
}
