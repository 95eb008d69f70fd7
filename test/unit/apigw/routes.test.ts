import assert from 'node:assert/strict'

import {DEFAULT_ROUTE, DEFAULT_ROUTE_FIELD} from '../../../src/lib/apigw/routes.js'
import {parseRouteSelectionExpression, routeFieldPath} from '../../../src/lib/project/index.js'
import {INIT_DEFAULTS} from '../../../src/lib/scaffold/options.js'

describe('API Gateway default routing', () => {
  it('is what `wsapi init` scaffolds by default, so that a client outside a project reaches a default project', () => {
    assert.deepEqual(routeFieldPath(parseRouteSelectionExpression(INIT_DEFAULTS.routeSelection)), [DEFAULT_ROUTE_FIELD])
    assert.equal(INIT_DEFAULTS.routes[0], DEFAULT_ROUTE)
  })
})
