import {UsageError} from '../errors.js'

/**
 * Route selection expressions as API Gateway accepts them for WebSocket APIs:
 *   $request.body.action                       a JSONPath into the message body
 *   ${request.body.service}/${request.body.x}  a template: static text with body values
 *   action  |  \$default                       a static value (`\$` escapes a dollar)
 * Evaluation follows docs/api-gateway-behaviour.md §2.1 (AWS: "Route selection expressions" in
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html).
 */

export type PathSegment = number | string

export type ExpressionPart = {kind: 'body'; path: PathSegment[]} | {kind: 'text'; text: string}

export interface RouteSelectionExpression {
  readonly parts: ExpressionPart[]
  readonly source: string
}

const SEGMENT = /^(?:\.([^.[\]{}\s$\\]+)|\[(\d+)\])/

function parseBodyPath(source: string, path: string): PathSegment[] {
  const segments: PathSegment[] = []
  let rest = path
  while (rest !== '') {
    const match = SEGMENT.exec(rest)
    if (!match)
      throw invalid(
        source,
        `${JSON.stringify(rest)} is not a JSON path; use .name or [index] segments, e.g. $request.body.action`,
      )
    segments.push(match[1] === undefined ? Number(match[2]) : match[1])
    rest = rest.slice(match[0].length)
  }

  if (segments.length === 0) throw invalid(source, 'it selects the whole body; name a field, e.g. $request.body.action')
  return segments
}

function invalid(source: string, why: string): UsageError {
  return new UsageError(`Invalid route selection expression ${JSON.stringify(source)}: ${why}.`, {
    code: 'INVALID_EXPRESSION',
  })
}

function parseReference(source: string, reference: string): PathSegment[] {
  if (!reference.startsWith('request.body')) {
    throw invalid(
      source,
      `${JSON.stringify('$' + reference)} is not supported; WebSocket route selection reads only $request.body`,
    )
  }

  return parseBodyPath(source, reference.slice('request.body'.length))
}

export function parseRouteSelectionExpression(source: string): RouteSelectionExpression {
  if (source.trim() === '') throw invalid(source, 'it is empty; the usual value is $request.body.message')
  if (source.startsWith('$request.')) {
    return {parts: [{kind: 'body', path: parseReference(source, source.slice(1))}], source}
  }

  const parts: ExpressionPart[] = []
  let text = ''
  for (let i = 0; i < source.length; i++) {
    const char = source[i]
    if (char === '\\' && source[i + 1] === '$') {
      text += '$'
      i++
    } else if (char === '$' && source[i + 1] === '{') {
      const end = source.indexOf('}', i)
      if (end === -1) throw invalid(source, '"${" is never closed with "}"')
      if (text) parts.push({kind: 'text', text})
      text = ''
      parts.push({kind: 'body', path: parseReference(source, source.slice(i + 2, end))})
      i = end
    } else if (char === '$') {
      throw invalid(source, 'a "$" must start ${request.body.…} or be escaped as \\$')
    } else {
      text += char
    }
  }

  if (text) parts.push({kind: 'text', text})
  return {parts, source}
}

/** True when the expression reads the body (a static expression routes every message the same way). */
export function readsBody(expression: RouteSelectionExpression): boolean {
  return expression.parts.some((part) => part.kind === 'body')
}

/**
 * The message field a client sets to pick a route: `$request.body.message` → ['message'].
 * Undefined for templates and static expressions, where no single field decides.
 */
export function routeFieldPath(expression: RouteSelectionExpression): PathSegment[] | undefined {
  const [only] = expression.parts
  return expression.parts.length === 1 && only.kind === 'body' ? only.path : undefined
}

/**
 * API Gateway stringifies what the path selects ([inf] in the reference): strings as is, numbers and
 * booleans as text, arrays as "[a, b]" (as the AWS guide shows), objects as "{k=v}" (Java map style, a
 * guess), null and missing values as "".
 */
export function stringifySelected(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `[${value.map((item) => stringifySelected(item)).join(', ')}]`
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${key}=${stringifySelected(item)}`)
      .join(', ')}}`
  }

  return String(value)
}

function select(root: unknown, path: PathSegment[]): unknown {
  let current = root
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined
    if (typeof segment === 'number') current = Array.isArray(current) ? current[segment] : undefined
    // Own properties only: "constructor" or "__proto__" in a message must not reach Object.prototype.
    else current = Object.hasOwn(current, segment) ? (current as Record<string, unknown>)[segment] : undefined
  }

  return current
}

/**
 * The route key a message selects, or undefined when the expression cannot be evaluated against it
 * (the body is not JSON), in which case API Gateway uses $default.
 */
export function evaluateRouteSelection(expression: RouteSelectionExpression, body: string): string | undefined {
  if (!readsBody(expression)) return expression.parts.map((part) => (part.kind === 'text' ? part.text : '')).join('')
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }

  return expression.parts
    .map((part) => (part.kind === 'text' ? part.text : stringifySelected(select(parsed, part.path))))
    .join('')
}

function setPath(target: Record<string, unknown> | unknown[], path: PathSegment[], value: unknown): boolean {
  let current: Record<string, unknown> | unknown[] = target
  for (const [index, segment] of path.entries()) {
    const container = current as Record<string, unknown>
    const key = String(segment)
    if (index === path.length - 1) {
      if (container[key] !== undefined && container[key] !== value) return false
      container[key] = value
      break
    }

    const nextIsIndex = typeof path[index + 1] === 'number'
    container[key] ??= nextIsIndex ? [] : {}
    const next = container[key]
    if (next === null || typeof next !== 'object' || Array.isArray(next) !== nextIsIndex) return false
    current = next as Record<string, unknown> | unknown[]
  }

  return true
}

function escapeRegExp(text: string): string {
  return text.replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`)
}

/**
 * A JSON message that selects `route` under `expression`, with `fields` merged in, e.g.
 * ($request.body.message, sendmessage, {data: 'hello'}) → {"message":"sendmessage","data":"hello"}.
 * Undefined when no message can select the route (say, a static expression naming another route).
 */
export function exampleMessage(
  expression: RouteSelectionExpression,
  route: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> | undefined {
  const message: Record<string, unknown> = {}
  if (readsBody(expression)) {
    const pattern = new RegExp(
      `^${expression.parts.map((part) => (part.kind === 'text' ? escapeRegExp(part.text) : '(.*?)')).join('')}$`,
      's',
    )
    const match = pattern.exec(route)
    if (!match) return undefined
    let group = 1
    for (const part of expression.parts) {
      if (part.kind === 'body' && !setPath(message, part.path, match[group++])) return undefined
    }
  }

  for (const [key, value] of Object.entries(fields)) {
    if (Object.hasOwn(message, key)) return undefined
    message[key] = value
  }

  return evaluateRouteSelection(expression, JSON.stringify(message)) === route ? message : undefined
}
