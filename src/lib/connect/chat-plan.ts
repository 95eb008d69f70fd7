import {UsageError} from '../errors.js'
import {parseHeaderFlags} from '../client/headers.js'
import {API_GATEWAY_LIMITS} from '../apigw/limits.js'
import {MessageBuilder} from './message.js'
import type {SessionOptions} from './session.js'
import {type InputAction, parseInput} from './slash.js'
import type {ClientTarget} from '../client/target.js'
import {tokenTransport} from '../client/token.js'

/** `wsapi connect`'s flags checked and worked out into what one run needs, before any connection. */

export interface ChatOptions {
  /** -s/--subprotocol, -H/--header ("Name: value"), --origin, -k/--insecure, --token. */
  connection: {headers?: string[]; insecure?: boolean; origin?: string; subprotocols?: string[]; token?: string}
  /** --count: end after this many messages received (keepalive replies not counted). */
  count?: number
  /** -x/--execute: lines sent once connected, in order; stdin is not read then. */
  execute?: string[]
  /** A terminal with a prompt (else scripting: lines from stdin, one line per message on stdout). */
  interactive: boolean
  /** --keepalive-message: the frame to send instead of the default `{"<routeField>":"$keepalive"}`. */
  keepaliveMessage?: string
  /** --keepalive: seconds without a data message either way before a keepalive frame is sent. */
  keepaliveSeconds?: number
  /** -r/--route and --route-field. */
  message?: {route?: string; routeField?: string}
  /** --send-raw: plain lines go as typed, even where the seed's frames would wrap them. */
  sendRaw?: boolean
  /** --reconnect: come back after the connection drops. */
  reconnect?: boolean
  /** Backoff for --reconnect (tests shorten it). */
  reconnectBackoff?: {initialMs: number; maxMs: number}
  target: ClientTarget
  /** --timeout: fail when the session has not ended after this long; also bounds the handshake. */
  timeoutSeconds?: number
  /** --wait: seconds to stay after the last line was sent in a script (-1: until the server closes). */
  waitSeconds?: number
}

/**
 * Where the shape of a plain line's frame comes from: the template's routes, the flags (-r,
 * --route-field), the seed's `{"message":"sendmessage","data":…}` when there is no template to read, or
 * none (--send-raw: as typed).
 */
export type Framing = 'flags' | 'raw' | 'seed' | 'template'

export interface ChatPlan {
  builder: MessageBuilder
  framing: Framing
  count?: number
  execute: InputAction[]
  interactive: boolean
  keepaliveReplyWindowMs: number
  session: SessionOptions
  target: ClientTarget
  timeoutMs?: number
  /** After the last line of a script: ms to stay, or undefined to stay until the server closes (or --count). */
  waitMs?: number
  warnings: string[]
}

/** Without --count or --wait, a script stays this long after its last line for the replies (as wscat's -w). */
export const DEFAULT_WAIT_SECONDS = 2
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000
const DEFAULT_BACKOFF = {initialMs: 500, maxMs: 30_000}

function seconds(
  name: string,
  value: number | undefined,
  options: {allowForever?: boolean; allowZero?: boolean} = {},
): number | undefined {
  if (value === undefined || (options.allowForever && value === -1)) return value
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !options.allowZero)) {
    const range = options.allowZero ? '0 or more' : 'greater than 0'
    throw new UsageError(
      `Invalid ${name} ${value}: give a number of seconds ${range}${options.allowForever ? ' (or -1 to wait until the server closes)' : ''}.`,
      {
        code: 'INVALID_DURATION',
      },
    )
  }

  return value
}

/** The route of the seed's chat (AWS's sample and the generated project): `{"message":"sendmessage","data":…}`. */
export const SEED_ROUTE = 'sendmessage'

function framingOf(options: ChatOptions): Framing {
  const flags = options.message?.route !== undefined || options.message?.routeField !== undefined
  if (options.sendRaw) {
    if (flags)
      throw new UsageError('--send-raw sends lines as typed: leave out -r/--route and --route-field, or --send-raw.', {
        code: 'CONFLICTING_FLAGS',
      })
    return 'raw'
  }

  if (flags) return 'flags'
  // A project's template decides, even when it names no custom route (lines then go as typed).
  const template =
    options.target.routeSelection !== undefined ||
    options.target.route !== undefined ||
    options.target.projectStage !== undefined
  return template ? 'template' : 'seed'
}

/** Checks the options and works out everything the run needs; throws UsageError (exit 2) before any connection. */
export function planChat(options: ChatOptions): ChatPlan {
  const warnings: string[] = []
  const framing = framingOf(options)
  const builder = new MessageBuilder(
    framing === 'raw'
      ? {}
      : {
          route: options.message?.route ?? options.target.route ?? (framing === 'seed' ? SEED_ROUTE : undefined),
          routeField: options.message?.routeField,
          routeSelection: options.target.routeSelection,
        },
  )
  const headers = parseHeaderFlags(options.connection.headers)
  const execute = (options.execute ?? []).map((line) => {
    try {
      return parseInput(line)
    } catch (error) {
      throw new UsageError(`-x ${JSON.stringify(line)}: ${(error as Error).message}`, {code: 'BAD_COMMAND'})
    }
  })
  if (options.count !== undefined && (!Number.isInteger(options.count) || options.count < 1)) {
    throw new UsageError(`Invalid --count ${options.count}: give the number of messages to wait for, 1 or more.`, {
      code: 'INVALID_COUNT',
    })
  }

  const timeout = seconds('--timeout', options.timeoutSeconds)
  const wait = seconds('--wait', options.waitSeconds, {allowForever: true, allowZero: true})
  const keepalive = seconds('--keepalive', options.keepaliveSeconds)
  if (keepalive !== undefined && keepalive >= API_GATEWAY_LIMITS.idleTimeoutMs / 1000) {
    warnings.push(
      `--keepalive ${keepalive} is not below API Gateway's ${API_GATEWAY_LIMITS.idleTimeoutMs / 1000} s idle timeout: the connection may close first.`,
    )
  }

  const sent = tokenTransport(options.target, options.connection.token)
  const subprotocols = [...sent.subprotocols, ...(options.connection.subprotocols ?? [])]
  const statusHints = stageHints(options.target)
  const timeoutMs = timeout === undefined ? undefined : timeout * 1000
  const keepaliveMs = keepalive === undefined ? undefined : keepalive * 1000
  return {
    builder,
    framing,
    count: options.count,
    execute,
    interactive: options.interactive,
    // Long enough for a cold $default Lambda, short enough not to swallow much else.
    keepaliveReplyWindowMs: keepaliveMs === undefined ? 0 : Math.min(5000, keepaliveMs),
    session: {
      handshakeTimeoutMs: Math.min(timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_HANDSHAKE_TIMEOUT_MS),
      headers,
      insecure: options.connection.insecure,
      keepalive:
        keepaliveMs === undefined
          ? undefined
          : {intervalMs: keepaliveMs, text: options.keepaliveMessage ?? builder.keepaliveFrame()},
      origin: options.connection.origin,
      reconnect: options.reconnect ? (options.reconnectBackoff ?? DEFAULT_BACKOFF) : undefined,
      statusHints,
      subprotocols,
      url: sent.url,
    },
    target: options.target,
    timeoutMs,
    waitMs:
      wait === -1
        ? undefined
        : wait === undefined
          ? options.count === undefined
            ? DEFAULT_WAIT_SECONDS * 1000
            : undefined
          : wait * 1000,
    warnings,
  }
}

/**
 * A 403 on the handshake to a URL whose stage is not the project's: API Gateway answers 403 for a stage
 * it does not have (and wsapi dev for a path other than its stage), so say that rather than blame an authorizer.
 */
function stageHints(target: ClientTarget): ChatPlan['session']['statusHints'] {
  if (!target.projectStage) return undefined
  let stage: string
  try {
    stage = decodeURIComponent(new URL(target.url).pathname.split('/')[1] ?? '')
  } catch {
    return undefined
  }

  if (stage === target.projectStage) return undefined
  return {
    403: `the URL's stage ${stage ? JSON.stringify(stage) : '(none)'} is not this project's stage ${JSON.stringify(target.projectStage)}: a stage that does not exist answers 403; end the URL with /${target.projectStage}`,
  }
}
