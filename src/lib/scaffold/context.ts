import {wsapiPackage} from '../paths.js'
import {DEPRECATED_RUNTIMES} from '../project/index.js'
import {FANOUT_TIMEOUT_SECONDS, planFunctions, planRoutes, usesPrincipalIndex} from './functions.js'
import {INIT_DEFAULTS, type InitOptions, ROOM_ROUTES} from './options.js'

/**
 * The data every template of a new project sees (the options worked out into flags, examples, versions
 * and the commands its README shows); routes and functions come from functions.ts.
 */

/** The default budget of @connections posts per second of one broadcast (runtime/pacing.ts). */
const DEFAULT_POSTS_PER_SECOND = 9000

/** Named in the first rendering of template.yaml, then replaced by the deployment's hashed id (plan.ts). */
const DEPLOYMENT_PLACEHOLDER = 'DeploymentPlaceholder'

/** `10/s`, 20 → `10 messages per second, 20 at once`. */
function rateLimitText(rateLimit: string, burst: number): string {
  const [count, unit] = rateLimit.split('/')
  return `${count} messages per ${unit === 'm' ? 'minute' : 'second'}, ${burst} at once`
}

function sdkRange(name: string): string {
  const {dependencies = {}, devDependencies = {}} = wsapiPackage()
  const range = dependencies[name] ?? devDependencies[name]
  if (!range) throw new Error(`wsapi's package.json has no version of ${name}`)
  return range
}

/**
 * `wsapi dev` as it works for this project. A token project needs no secret on the command line: dev
 * generates the token (as Secrets Manager does when AuthTokenSecret is empty) and keeps it in .wsapi/.
 */
export function devCommand(_options: Pick<InitOptions, 'auth'>): string {
  return 'wsapi dev'
}

/**
 * `wsapi connect` as it works for this project under `wsapi dev`: a token project's comes from .wsapi/, a jwt
 * project's from dev as the local issuer (`wsapi token`), and an iam project signs as dev's local caller.
 */
export function connectCommand(options: Pick<InitOptions, 'auth'>): string {
  if (options.auth === 'jwt') return 'WSAPI_TOKEN="$(wsapi token --sub alice)" wsapi connect'
  if (options.auth === 'iam') return 'wsapi connect --sigv4'
  return 'wsapi connect'
}

/** The data every template sees; warnings about the options are pushed onto `warnings`. */
export function templateContext(options: InitOptions, warnings: string[]) {
  const routes = planRoutes(options, warnings)
  const fanout = options.fanoutShards > 1
  const rateLimited = options.rateLimit !== 'off'
  const functions = planFunctions(options, routes, warnings)
  const principalIndex = usesPrincipalIndex(options)
  if (DEPRECATED_RUNTIMES.includes(options.runtime))
    warnings.push(`${options.runtime} is deprecated by AWS Lambda; prefer ${INIT_DEFAULTS.runtime}.`)
  const firstCustom = routes.find((route) => route.kind === 'custom')
  // The first route's example with an address before its data: {"message":"sendmessage","room":"lobby","data":"hello"}.
  const addressed = (address: Record<string, string>) => {
    const {data, ...selection} = JSON.parse(firstCustom?.example ?? '{"data":"hello"}') as Record<string, unknown>
    return JSON.stringify({...selection, ...address, data})
  }

  return {
    ...options,
    auth: {
      iam: options.auth === 'iam',
      jwt: options.auth === 'jwt',
      lambda: options.auth === 'token' || options.auth === 'jwt',
      none: options.auth === 'none',
      token: options.auth === 'token',
    },
    jwt: options.auth === 'jwt' ? {audience: options.jwtAudience, issuer: options.jwtIssuer} : false,
    billing: {
      onDemand: options.billing === 'on-demand',
      provisioned: options.billing === 'provisioned',
      read: options.readCapacity,
      write: options.writeCapacity,
    },
    customRouteKeys: [...options.routes, ...(options.rooms ? ROOM_ROUTES : [])],
    deploymentDescription: `Routes ${routes.map((route) => route.key).join(', ')}`,
    deploymentId: DEPLOYMENT_PLACEHOLDER,
    // Template parameter defaults: empty serves the API on execute-api only.
    domain: {
      certificateArn: options.domain?.certificateArn ?? '',
      hostedZoneId: options.domain?.hostedZoneId ?? '',
      name: options.domain?.name ?? '',
    },
    example: firstCustom ? firstCustom.example : JSON.stringify({data: 'hello'}),
    fanout: fanout
      ? {
          inlineMax: options.fanoutInlineMax,
          postsPerSecond: DEFAULT_POSTS_PER_SECOND,
          shards: options.fanoutShards,
          timeout: FANOUT_TIMEOUT_SECONDS,
        }
      : false,
    functions,
    packageName: options.name.toLowerCase(),
    reservedConcurrency: options.reservedConcurrency === 'none' ? false : options.reservedConcurrency,
    rateLimit: rateLimited
      ? {burst: options.rateBurst, rate: options.rateLimit, text: rateLimitText(options.rateLimit, options.rateBurst)}
      : false,
    rooms: options.rooms
      ? {
          joinExample: routes.find((route) => route.kind === 'join')!.example,
          leaveExample: routes.find((route) => route.kind === 'leave')!.example,
          principalIndex,
          // The broadcast route whose room and direct delivery test/rooms.test.ts exercises.
          route: firstCustom ? {file: firstCustom.file, key: firstCustom.key} : false,
          roomExample: addressed({room: 'lobby'}),
          toExample: addressed({to: '<connectionId>'}),
          whoamiExample: routes.find((route) => route.kind === 'whoami')!.example,
        }
      : false,
    routes,
    versions: {
      awsSdk: sdkRange('@aws-sdk/client-dynamodb'),
      awsSdkSecretsManager: sdkRange('@aws-sdk/client-secrets-manager'),
      awsSdkClientMock: sdkRange('aws-sdk-client-mock'),
      awsJwtVerify: sdkRange('aws-jwt-verify'),
      awsSdkLambda: sdkRange('@aws-sdk/client-lambda'),
      mocha: sdkRange('mocha'),
      prettier: sdkRange('prettier'),
      tsx: sdkRange('tsx'),
      typescript: sdkRange('typescript'),
      typesMocha: sdkRange('@types/mocha'),
    },
    // Lined up so that their comments in the README form one column.
    connectCommand: connectCommand(options).padEnd(
      Math.max(devCommand(options).length, connectCommand(options).length),
    ),
    devCommand: devCommand(options).padEnd(Math.max(devCommand(options).length, connectCommand(options).length)),
    devScript: `node scripts/wsapi.mjs ${devCommand(options).replace(/^wsapi /, '')}`,
    wsapiPackageName: wsapiPackage().name,
    wsapiVersion: wsapiPackage().version,
  }
}

export type TemplateContext = ReturnType<typeof templateContext>
