import {DEFAULT_ROUTE_FIELD} from '../apigw/routes.js'
import {UsageError} from '../errors.js'
import {exampleMessage, parseRouteSelectionExpression, type RouteSelectionExpression} from '../project/expressions.js'

/** The field every wsapi route reads the payload from (`{"message":"sendmessage","data":…}`). */
export const DATA_FIELD = 'data'

/** What the keepalive frame selects: a `$` key no custom route can have, so it lands on $default. */
export const KEEPALIVE_ROUTE = '$keepalive'

export interface MessageShapeOptions {
  /** Route to address plain lines to: `-r/--route`, else the template's first custom route. */
  route?: string
  /** `--route-field`: the body path that selects the route, e.g. `message`, `action` or `body.action`. */
  routeField?: string
  /** The template's route selection expression as written. */
  routeSelection?: string
}

export interface BuiltMessage {
  /** How the text came about: wrapped as {routeField, data}, a JSON object as typed, or the line as typed. */
  kind: 'json' | 'text' | 'wrapped'
  text: string
}

function parseRouteField(field: string): RouteSelectionExpression {
  try {
    return parseRouteSelectionExpression(`$request.body.${field}`)
  } catch {
    throw new UsageError(
      `Invalid --route-field ${JSON.stringify(field)}: give the body field that selects the route, e.g. message, action or body.action.`,
      {
        code: 'INVALID_ROUTE_FIELD',
      },
    )
  }
}

/** True when the line is a JSON object: it is then sent as typed. */
export function isJsonObject(text: string): boolean {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{')) return false
  try {
    const value: unknown = JSON.parse(trimmed)
    return value !== null && typeof value === 'object' && !Array.isArray(value)
  } catch {
    return false
  }
}

/**
 * Turns what the user types into the frame to send. A plain line becomes
 * `{"<routeField>":"<route>","data":"<line>"}` (nested paths give nested objects, template expressions
 * fill each of their fields); a JSON object is sent as typed; without a route, every line is sent as typed.
 */
export class MessageBuilder {
  private currentRoute: string | undefined
  private expression: RouteSelectionExpression | undefined

  constructor(options: MessageShapeOptions) {
    if (options.routeField !== undefined) this.expression = parseRouteField(options.routeField)
    else if (options.routeSelection !== undefined)
      this.expression = parseRouteSelectionExpression(options.routeSelection)
    else if (options.route !== undefined) this.expression = parseRouteField(DEFAULT_ROUTE_FIELD)
    if (options.route !== undefined) this.setRoute(options.route)
  }

  /** The route plain lines go to, or undefined when they are sent as typed. */
  get route(): string | undefined {
    return this.currentRoute
  }

  /** `fields` go between the route and `data`, e.g. `{room}` or `{to}` (`{"message":"sendmessage","room":"a","data":…}`). */
  build(line: string, fields: Record<string, string> = {}): BuiltMessage {
    if (isJsonObject(line)) return {kind: 'json', text: line}
    if (this.currentRoute === undefined || this.expression === undefined) return {kind: 'text', text: line}
    return {kind: 'wrapped', text: JSON.stringify(this.wrap(this.currentRoute, line, fields))}
  }

  /**
   * A frame of its own for `route` (`/join`, `/leave`, `/whoami`): `{"<routeField>":"<route>", ...fields}`.
   * Sent as typed lines are (--send-raw), it still needs a route field: the seed's `message`.
   */
  command(route: string, fields: Record<string, string> = {}): string {
    const expression = this.expression ?? parseRouteField(DEFAULT_ROUTE_FIELD)
    const message = exampleMessage(expression, route, fields)
    if (!message) {
      throw new UsageError(
        `No message can select route ${JSON.stringify(route)} under the route selection expression ${expression.source}: pass --route-field.`,
        {code: 'UNROUTABLE'},
      )
    }

    return JSON.stringify(message)
  }

  /** One line that says what a plain line becomes, for the banner and `/route`. */
  describe(fields: Record<string, string> = {}): string {
    if (this.currentRoute === undefined || this.expression === undefined) {
      return 'Lines are sent as typed (no route known: pass -r/--route, and --route-field if the API does not select on "message", to wrap them)'
    }

    const shape = JSON.stringify(this.wrap(this.currentRoute, '\u0000', fields)).replace('"\\u0000"', '"<line>"')
    return `Lines are sent as ${shape}; a JSON object is sent as typed`
  }

  /**
   * The app-level keepalive frame: `{"<routeField>":"$keepalive"}`. Custom route keys cannot start with
   * `$`, so it never reaches a custom route (no broadcast); API Gateway hands it to $default, or answers
   * Forbidden when there is none. Without a route field, `{"wsapi":"keepalive"}` (no field: also $default).
   */
  keepaliveFrame(): string {
    const message = this.expression ? exampleMessage(this.expression, KEEPALIVE_ROUTE) : undefined
    return JSON.stringify(message ?? {wsapi: 'keepalive'})
  }

  /** Switches plain lines to another route (`/route <key>`); fails when no message can select it. */
  setRoute(route: string): void {
    if (route === '')
      throw new UsageError('The route is empty: give a route key such as sendmessage.', {code: 'INVALID_ROUTE'})
    this.expression ??= parseRouteField(DEFAULT_ROUTE_FIELD)
    this.wrap(route, '')
    this.currentRoute = route
  }

  private wrap(route: string, line: string, fields: Record<string, string> = {}): Record<string, unknown> {
    const message = exampleMessage(this.expression!, route, {...fields, [DATA_FIELD]: line})
    if (!message) {
      throw new UsageError(
        `No message can select route ${JSON.stringify(route)} under the route selection expression ${this.expression!.source} (alongside a "${DATA_FIELD}" field): pick another route, or set --route-field.`,
        {code: 'UNROUTABLE'},
      )
    }

    return message
  }
}
