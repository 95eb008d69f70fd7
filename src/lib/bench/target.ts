import {DEFAULT_ROUTE, DEFAULT_ROUTE_FIELD} from '../apigw/routes.js'
import type {ClientTarget} from '../client/target.js'
import {UsageError} from '../errors.js'
import type {PathSegment} from '../project/index.js'
import {parseRouteField} from './messages.js'

/**
 * The route and the field that selects it: flags first, then the template (as `connect` reads it), then
 * the sample's convention when there is no template ({"message":"sendmessage",…}).
 */
export function benchRouting(
  target: Pick<ClientTarget, 'route' | 'routeField'>,
  flags: {route?: string; routeField?: string},
): {route: string; routeField: PathSegment[]} {
  const fromTemplate = target.route !== undefined || target.routeField !== undefined
  const routeField =
    flags.routeField === undefined
      ? (target.routeField ?? (fromTemplate ? undefined : [DEFAULT_ROUTE_FIELD]))
      : parseRouteField(flags.routeField)
  if (!routeField) {
    throw new UsageError(
      'The route selection expression of template.yaml is not a single field: pass --route-field (and --route).',
      {code: 'INVALID_ROUTE_FIELD'},
    )
  }

  return {route: flags.route ?? target.route ?? DEFAULT_ROUTE, routeField}
}
