import {UsageError} from '../errors.js'
import {
  loadProject,
  type PathSegment,
  type ProjectModel,
  liveDevServers,
  readDevSecrets,
  readOutputsState,
  routeFieldPath,
  TEMPLATE_FILE,
  tokenSecretId,
} from '../project/index.js'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {normalizeUrl} from './url.js'

/** Where a client (`wsapi connect`, `wsapi bench`) connects, and how it addresses the routes. */
export interface ClientTarget {
  /** The default custom route (first in the template), e.g. sendmessage; undefined without a project or custom route. */
  route?: string
  /** Path of the message field that selects the route, e.g. ['message']; undefined when the expression is not a plain path. */
  routeField?: PathSegment[]
  /** The template's route selection expression as written, e.g. $request.body.message (templates and static values too). */
  routeSelection?: string
  /** The `wsapi dev` server picked (source dev): its pid and, when it recorded it, its integration timeout. */
  dev?: {
    integrationTimeoutMs?: number
    pid: number
    sigv4?: {accessKeyId: string; region: string; secretAccessKey: string}
  }
  /** Said before connecting, e.g. which of several running dev servers was picked. */
  notice?: string
  /** The project's stage (from template.yaml), to explain a handshake refused for another stage. */
  projectStage?: string
  /** Where the URL came from. */
  source: 'argument' | 'deploy' | 'dev'
  /** The token `wsapi dev` generated for this project's token authorizer (source dev only), used when none is given. */
  token?: string
  /** The subprotocol before which `--token` goes in Sec-WebSocket-Protocol (jwt projects); undefined: the token query string. */
  tokenProtocol?: string
  url: string
}

export interface ResolveTargetOptions {
  /** Project folder (default: the current folder). */
  dir: string
  /** Stage whose deploy outputs to use (default: the template's StageName default). */
  stage?: string
  /** Explicit URL: wins over everything else. */
  url?: string
}

function routing(
  project: ProjectModel | undefined,
): Pick<ClientTarget, 'projectStage' | 'route' | 'routeField' | 'routeSelection' | 'tokenProtocol'> {
  if (!project) return {}
  const custom = project.routes.find((route) => !route.key.startsWith('$'))
  const {tokenProtocol} = ((project.template.Metadata?.wsapi as {auth?: {tokenProtocol?: unknown}} | undefined)?.auth ??
    {}) as {tokenProtocol?: unknown}
  return {
    projectStage: project.stage.name,
    route: custom?.key,
    routeField: routeFieldPath(project.api.routeSelection),
    routeSelection: project.api.routeSelection.source,
    ...(typeof tokenProtocol === 'string' && tokenProtocol !== '' ? {tokenProtocol} : {}),
  }
}

/**
 * The URL to connect to: the argument if given; else the running `wsapi dev` of the project in `dir`;
 * else the WebSocketUrl output of the project's last deploy of the stage. Route field and key come from
 * the project's template when there is one.
 */
export async function resolveTarget(options: ResolveTargetOptions): Promise<ClientTarget> {
  const hasProject = existsSync(join(options.dir, TEMPLATE_FILE))
  const project = hasProject ? loadProject(options.dir, {stage: options.stage}) : undefined
  if (options.url) return {...routing(project), source: 'argument', url: normalizeUrl(options.url)}
  if (!project) {
    throw new UsageError(
      `No URL given and no ${TEMPLATE_FILE} in ${options.dir}: pass a URL (e.g. ws://127.0.0.1:3001/v1), or run inside a wsapi project.`,
      {
        code: 'NO_TARGET',
      },
    )
  }

  const [dev, ...others] = await liveDevServers(project.dir)
  if (dev) {
    const notice =
      others.length === 0
        ? undefined
        : `${others.length + 1} wsapi dev servers run in this project: using the one started last (pid ${dev.pid}, ${dev.url}); ${others.map((other) => `pid ${other.pid} serves ${other.url}`).join(', ')} (pass its URL to use it).`
    const secretId = tokenSecretId(project)
    const token = secretId === undefined ? undefined : readDevSecrets(project.dir)[secretId]
    return {
      ...routing(project),
      dev: {integrationTimeoutMs: dev.integrationTimeoutMs, pid: dev.pid, ...(dev.sigv4 ? {sigv4: dev.sigv4} : {})},
      notice,
      source: 'dev',
      url: dev.url,
      ...(token === undefined ? {} : {token}),
    }
  }

  const stage = project.stage.name
  const deployed = readOutputsState(project.dir, stage)?.outputs.WebSocketUrl
  if (deployed) return {...routing(project), source: 'deploy', url: deployed}
  throw new UsageError(
    `Nothing to connect to for ${project.name}: start \`wsapi dev\` in this project, deploy stage ${stage} with \`wsapi deploy\`, or pass a URL.`,
    {
      code: 'NO_TARGET',
    },
  )
}
