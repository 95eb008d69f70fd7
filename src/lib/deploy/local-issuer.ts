import type {CfnTemplate} from '../project/index.js'

/**
 * A jwt project (template Metadata.wsapi.auth) whose issuer parameter would be deployed as `local`: only
 * `wsapi dev` can issue such tokens, so the deployed authorizer would refuse everyone. Says what to pass, or
 * undefined when the value is fine (given, or kept from the deployed stack).
 */
export function localIssuerProblem(
  template: CfnTemplate,
  given: Record<string, string>,
  keepsDeployedValues: boolean,
): string | undefined {
  const auth = (template.Metadata?.wsapi as {auth?: {issuerParameter?: unknown; type?: unknown}} | undefined)?.auth
  if (auth?.type !== 'jwt' || typeof auth.issuerParameter !== 'string') return undefined
  const name = auth.issuerParameter
  const value = given[name] ?? (keepsDeployedValues ? undefined : template.Parameters?.[name]?.Default)
  if (value !== 'local') return undefined
  return `Parameter ${name} is local, which only wsapi dev can serve: pass --parameter ${name}=<issuer URL> (e.g. https://cognito-idp.<region>.amazonaws.com/<user pool id>) and --parameter JwtAudience=<audience>.`
}
