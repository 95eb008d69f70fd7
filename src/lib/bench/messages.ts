import {exampleMessage, type PathSegment, parseRouteSelectionExpression} from '../project/index.js'
import {apiGatewayError} from '../apigw/error-frames.js'
import {UsageError} from '../errors.js'

/** What a benchmark client made of one incoming frame. */
export type BenchFrame =
  | {id: string; kind: 'broadcast'}
  /** API Gateway's own JSON error frame, e.g. {"message": "Forbidden", "connectionId":"…", "requestId":"…"}. */
  | {kind: 'error'; message: string}
  /** Anything else: a handler's error reply, a $default answer, another run's broadcast, a binary frame. */
  | {kind: 'other'}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * Classifies a frame. A broadcast of this run carries `{"id": "<runId>-…", "sentAt": …}` as the whole
 * message (what the generated handler sends: the `data` field) or as its `data` field (APIs that relay
 * the whole message). Error frames are recognised by their shape (a `message` text plus the connection
 * and request or message ids), as `wsapi connect` recognises them (docs/api-gateway-behaviour.md §2.3).
 */
export function classifyFrame(text: string, runId: string): BenchFrame {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return {kind: 'other'}
  }

  if (!isObject(parsed)) return {kind: 'other'}
  for (const candidate of [parsed, parsed.data]) {
    if (isObject(candidate) && typeof candidate.id === 'string' && candidate.id.startsWith(`${runId}-`))
      return {id: candidate.id, kind: 'broadcast'}
  }

  const error = apiGatewayError(text)
  return error ? {kind: 'error', message: error.message} : {kind: 'other'}
}

function bodyExpression(routeField: PathSegment[]) {
  const field = routeField.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('')
  return parseRouteSelectionExpression(`$request.body${field}`)
}

/** The frame that joins a room: `{"<routeField>":"join","room":"<room>"}`, as `wsapi connect`'s /join sends it. */
export function joinFrame(routeField: PathSegment[], room: string): string {
  const message = exampleMessage(bodyExpression(routeField), 'join', {room})
  if (!message) {
    throw new UsageError(
      `No message can select the join route through field ${JSON.stringify(routeField.join('.'))}: pick another --route-field.`,
      {code: 'INVALID_ROUTE_FIELD'},
    )
  }

  return JSON.stringify(message)
}

/**
 * A function that writes the text of one benchmark broadcast: `{"<routeField>": "<route>", "data": {id, sentAt}}`
 * (with a nested route field as nested objects; `fields` such as `{room}` go before `data`). Throws a UsageError when no such message selects the route.
 */
export function broadcastComposer(
  routeField: PathSegment[],
  route: string,
  fields: Record<string, string> = {},
): (data: {id: string; sentAt: number}) => string {
  const template = exampleMessage(bodyExpression(routeField), route, {...fields, data: null})
  if (!template) {
    throw new UsageError(
      `No message can select route ${JSON.stringify(route)} through field ${JSON.stringify(routeField.join('.'))}: pick another --route-field.`,
      {
        code: 'INVALID_ROUTE_FIELD',
      },
    )
  }

  return (data) => JSON.stringify({...template, data})
}

/** Parses `--route-field`: `message`, `a.b`, `items[0]` → path segments. */
export function parseRouteField(text: string): PathSegment[] {
  const trimmed = text.trim().replace(/^\$request\.body\.?/, '')
  const path = trimmed.startsWith('[') ? trimmed : `.${trimmed}`
  try {
    const expression = parseRouteSelectionExpression(`$request.body${path}`)
    const [part] = expression.parts
    if (part.kind === 'body') return part.path
  } catch {}

  throw new UsageError(
    `Invalid --route-field ${JSON.stringify(text)}: name the message field that selects the route, e.g. message or action or meta.type.`,
    {
      code: 'INVALID_ROUTE_FIELD',
    },
  )
}
