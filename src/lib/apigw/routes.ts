/**
 * The routing convention of AWS's chat sample, which wsapi scaffolds: the route selection expression
 * `$request.body.message` and the custom route `sendmessage`. Clients assume it when there is no template to read.
 */
export const DEFAULT_ROUTE_FIELD = 'message'
export const DEFAULT_ROUTE = 'sendmessage'
