import type {Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {WsapiError} from '../errors.js'

// Where the dev server listens: the port (and what to do when it cannot be had), and the host its URLs name.

/** The host a client reaches a server listening on `host` at: a wildcard address is reached at 127.0.0.1. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

/** Listens on host:port; a port in use or not allowed is an error saying what to do. */
export async function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new WsapiError(
            `Port ${port} on ${host} is in use: stop what runs there, or pass --port <n> (--port 0 picks a free one).`,
            {code: 'PORT_IN_USE'},
          ),
        )
      } else if (error.code === 'EACCES') {
        reject(
          new WsapiError(`Not allowed to listen on port ${port} of ${host}: pick a port above 1023 with --port.`, {
            code: 'PORT_DENIED',
          }),
        )
      } else {
        reject(
          new WsapiError(`Cannot listen on ${host}:${port}: ${error.message}.`, {
            cause: error,
            code: 'LISTEN_FAILED',
          }),
        )
      }
    }

    server.once('error', onError)
    // A long backlog: a thousand clients connecting at once must not be refused.
    server.listen({backlog: 4096, host, port}, () => {
      server.off('error', onError)
      resolve()
    })
  })
  return server.address() as AddressInfo
}
