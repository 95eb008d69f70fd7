import {evaluateRouteSelection, type RouteModel, type RouteSelectionExpression} from '../project/index.js'

/** Lifecycle routes run on connect and disconnect only; the selection expression never picks them. */
const LIFECYCLE = new Set(['$connect', '$disconnect'])

export type RouteChoice =
  {route: RouteModel; selected: string | undefined} | {route: undefined; selected: string | undefined}

/** Message routes by key, ready for selection. */
export class RouteTable {
  readonly byKey = new Map<string, RouteModel>()
  readonly connect?: RouteModel
  readonly defaultRoute?: RouteModel
  readonly disconnect?: RouteModel

  constructor(
    routes: RouteModel[],
    readonly expression: RouteSelectionExpression,
  ) {
    for (const route of routes) {
      if (!LIFECYCLE.has(route.key)) this.byKey.set(route.key, route)
    }

    this.connect = routes.find((route) => route.key === '$connect')
    this.disconnect = routes.find((route) => route.key === '$disconnect')
    this.defaultRoute = this.byKey.get('$default')
  }

  /**
   * The route a message goes to: the one whose key equals what the expression selects (exact, case
   * sensitive), else $default; `route` is undefined when neither exists (API Gateway answers Forbidden).
   * Non-JSON bodies, and values nested too deeply to stringify, cannot be evaluated and go to $default.
   */
  select(body: string): RouteChoice {
    let selected: string | undefined
    try {
      selected = evaluateRouteSelection(this.expression, body)
    } catch (error) {
      // A value nested too deeply to stringify (e.g. 60,000 arrays, which fit in 128 KB) cannot be evaluated either.
      if (!(error instanceof RangeError)) throw error
    }

    const route = (selected === undefined ? undefined : this.byKey.get(selected)) ?? this.defaultRoute
    return {route, selected}
  }
}
