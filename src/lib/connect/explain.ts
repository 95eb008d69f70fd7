import type {WsapiError} from '../errors.js'
import {portAnswers} from '../project/state.js'
import {describeClose} from '../apigw/close-codes.js'
import {API_GATEWAY_LIMITS} from '../apigw/limits.js'
import type {EndInfo} from './session.js'
import type {ClientTarget} from '../client/target.js'

/** What `wsapi connect` says about where it connected, how a connection ended and what a message's size means. */

/** After the URL in "Connected to …": where the URL came from. */
export const SOURCE_LABELS: Record<ClientTarget['source'], string> = {
  argument: '',
  deploy: ' (last deploy)',
  dev: ' (wsapi dev)',
}

/** 1000 (normal) and 1001 (going away) end a run well. */
export function isNormalClose(code: number): boolean {
  return code === 1000 || code === 1001
}

/**
 * The close code in words. From `wsapi dev`, 1001 is not API Gateway's idle timeout or connection limit
 * when the server has stopped (its port no longer answers): say so.
 */
export async function explainClose(
  info: Pick<EndInfo, 'code' | 'reason'>,
  source: ClientTarget['source'],
  url: string,
  reconnecting = false,
): Promise<string> {
  if (info.code !== 1001 || source !== 'dev') return describeClose(info.code, info.reason)
  const reason = info.reason ? ` ${JSON.stringify(info.reason)}` : ''
  if (await portAnswers(url)) return `1001${reason} (going away: the idle timeout or the connection limit of wsapi dev)`
  if (reconnecting) return `1001${reason} (going away: wsapi dev stopped)`
  return `1001${reason} (going away: wsapi dev stopped; with --reconnect, wsapi connect comes back by itself when it runs again)`
}

/** A refused connection to a URL wsapi found itself (dev, the last deploy) says where the URL came from. */
export function withSourceHint(error: WsapiError, source: ClientTarget['source']): WsapiError {
  if (error.code !== 'CONNECTION_REFUSED') return error
  if (source === 'dev') error.message += ' (is `wsapi dev` still running?)'
  if (source === 'deploy') error.message += ' (the URL comes from the last deploy: is the stack still there?)'
  return error
}

/** The warning for a message over API Gateway's frame or message limit, or undefined within them. */
export function sizeWarning(bytes: number): string | undefined {
  // Exact bytes: "32.0 KB, over the 32 KB limit" would read as a contradiction near the limit.
  const size = `${bytes.toLocaleString('en-US')} bytes`
  const {maxFrameBytes: frameBytes, maxMessageBytes: messageBytes} = API_GATEWAY_LIMITS
  if (bytes > messageBytes) {
    return `This message is ${size}, over API Gateway's ${messageBytes / 1024} KB message limit (${messageBytes.toLocaleString('en-US')} bytes): API Gateway closes the connection (1009).`
  }

  if (bytes > frameBytes)
    return `This message is ${size}, over API Gateway's ${frameBytes / 1024} KB frame limit: sending it as frames of at most ${frameBytes / 1024} KB.`
  return undefined
}
