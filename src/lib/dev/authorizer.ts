import {API_GATEWAY_LIMITS as LIMITS} from '../apigw/limits.js'

/**
 * The $connect REQUEST authorizer's contract: identity sources checked before the call, then the
 * returned IAM policy decides (Allow → connect, Deny or no matching Allow → 403, "Unauthorized" → 401).
 */

export type AuthorizerDecision =
  | {allowed: true; /** requestContext.authorizer of every later event. */ context: Record<string, unknown>}
  | {allowed: false; reason: string; status: 401 | 403 | 500}

interface Statement {
  Action?: string | string[]
  Effect?: string
  Resource?: string | string[]
}

/**
 * True when every identity source (route.request.header.X, route.request.querystring.X) is present and
 * non-empty; API Gateway answers 401 without calling the authorizer otherwise.
 */
export function hasIdentitySources(
  sources: string[],
  headers: Record<string, string>,
  query: Record<string, string> | undefined,
): boolean {
  const lowerHeaders = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))
  return sources.every((source) => {
    const header = /^route\.request\.header\.(.+)$/i.exec(source)
    if (header) return Boolean(lowerHeaders.get(header[1].toLowerCase()))
    const querystring = /^route\.request\.querystring\.(.+)$/i.exec(source)
    if (querystring) return Boolean(query?.[querystring[1]])
    return true // stage variables and context values are not the client's to omit
  })
}

function wildcard(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replaceAll(/[.+^${}()|[\]\\]/g, String.raw`\$&`)
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  )
  return regex.test(value)
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value]
}

function matches(statement: Statement, methodArn: string): boolean {
  const actionMatches = asList(statement.Action).some((action) => wildcard(action.toLowerCase(), 'execute-api:invoke'))
  return actionMatches && asList(statement.Resource).some((resource) => wildcard(resource, methodArn))
}

/** Context values reach later events as strings, as in API Gateway; principalId and integrationLatency join them. */
function eventContext(principalId: string, context: unknown, latencyMs: number): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  if (context !== null && typeof context === 'object') {
    for (const [key, value] of Object.entries(context))
      values[key] = value === null || typeof value === 'object' ? value : String(value)
  }

  return {...values, principalId, integrationLatency: Math.round(latencyMs)}
}

/** Judges what the authorizer function returned (or threw). */
export function authorizerDecision(
  outcome: {error: {errorMessage: string}; ok: false} | {ok: true; payload: unknown},
  methodArn: string,
  latencyMs: number,
): AuthorizerDecision {
  if (!outcome.ok) {
    return outcome.error.errorMessage === 'Unauthorized'
      ? {allowed: false, reason: 'the authorizer threw "Unauthorized"', status: 401}
      : {allowed: false, reason: `the authorizer failed: ${outcome.error.errorMessage}`, status: 500}
  }

  const result = outcome.payload as {
    context?: unknown
    policyDocument?: {Statement?: Statement | Statement[]}
    principalId?: unknown
  } | null
  if (
    result === null ||
    typeof result !== 'object' ||
    !result.policyDocument ||
    typeof result.policyDocument !== 'object'
  ) {
    return {allowed: false, reason: 'the authorizer returned no policyDocument', status: 500}
  }

  if (JSON.stringify(result).length > LIMITS.maxAuthorizerResultBytes) {
    return {
      allowed: false,
      reason: `the authorizer's result is over ${LIMITS.maxAuthorizerResultBytes} bytes`,
      status: 500,
    }
  }

  if (typeof result.principalId !== 'string' || result.principalId === '')
    return {allowed: false, reason: 'the authorizer returned no principalId', status: 403}
  const statements = asList(result.policyDocument.Statement as never) as unknown as Statement[]
  const relevant = statements.filter((statement) => matches(statement, methodArn))
  if (relevant.some((statement) => statement.Effect === 'Deny'))
    return {allowed: false, reason: 'the policy denies', status: 403}
  if (!relevant.some((statement) => statement.Effect === 'Allow'))
    return {allowed: false, reason: `the policy allows no execute-api:Invoke on ${methodArn}`, status: 403}
  return {allowed: true, context: eventContext(result.principalId, result.context, latencyMs)}
}
