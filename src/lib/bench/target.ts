import type {ClientTarget} from '../connect/index.js'
import {UsageError} from '../errors.js'
import type {PathSegment} from '../project/index.js'
import {parseRouteField} from './messages.js'

/** Outside a project, the convention of AWS's chat sample and Sparta's guide: {"message":"sendmessage",…}. */
export const DEFAULT_ROUTE = 'sendmessage'
export const DEFAULT_ROUTE_FIELD: PathSegment[] = ['message']

/**
 * The route and the field that selects it: flags first, then the template (as `connect` reads it), then
 * the sample's convention when there is no template.
 */
export function benchRouting(target: Pick<ClientTarget, 'route' | 'routeField'>, flags: {route?: string; routeField?: string}): {route: string; routeField: PathSegment[]} {
  const fromTemplate = target.route !== undefined || target.routeField !== undefined
  const routeField = flags.routeField === undefined ? (target.routeField ?? (fromTemplate ? undefined : DEFAULT_ROUTE_FIELD)) : parseRouteField(flags.routeField)
  if (!routeField) {
    throw new UsageError('The route selection expression of template.yaml is not a single field: pass --route-field (and --route).', {code: 'INVALID_ROUTE_FIELD'})
  }

  return {route: flags.route ?? target.route ?? DEFAULT_ROUTE, routeField}
}
