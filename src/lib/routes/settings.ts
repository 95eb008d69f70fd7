import type {CfnResource, CfnTemplate} from '../project/index.js'
import {INIT_DEFAULTS} from '../scaffold/options.js'

/** What a new route's function copies from the project, so that it looks like the functions `wsapi init` wrote. */
export interface ProjectSettings {
  architecture: string
  /** FanoutFunction exists: a broadcast route hands large audiences to it. */
  fanout?: {inlineMax: string; postsPerSecond: string; shards: string}
  idAttribute: string
  logRetention: number
  memorySize: number
  /** Per-connection rate limit of the broadcast routes, as an existing broadcast function sets it; absent when off. */
  rateLimit?: {burst: string; rate: string}
  /** ReservedConcurrentExecutions of the existing broadcast functions. */
  reservedConcurrency?: number
  /**
   * The project was made with rooms (`wsapi init --rooms`): a broadcast route also delivers to a room or one
   * recipient, as its other broadcast routes do. `table`: the memberships table's logical id; `principalIndex`:
   * the connections table has the index by principal (`"to": "user:<principalId>"`).
   */
  rooms?: {principalIndex: boolean; table: string}
  runtime: string
  /** Logical id of the connections table. */
  table: string
  /** Environment variable that carries the table name. */
  tableEnv: string
  timeout: number
}

type Variables = Record<string, unknown>

const isRef = (value: unknown, target: string) =>
  typeof value === 'object' && value !== null && (value as {Ref?: unknown}).Ref === target

function variablesOf(resource: CfnResource): Variables {
  const environment = resource.Properties?.Environment as {Variables?: Variables} | undefined
  return environment?.Variables ?? {}
}

const isTableRef = (template: CfnTemplate, value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  template.Resources[String((value as {Ref?: unknown}).Ref)]?.Type === 'AWS::DynamoDB::Table'

/** The connections table's index by principal, as `wsapi init --rooms` names it (runtime/rooms.ts). */
const BY_PRINCIPAL_INDEX = 'byPrincipal'

const text = (value: unknown, fallback: string) =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : fallback

/** Reads the settings from the template; values it does not hold take `wsapi init`'s defaults. */
export function projectSettings(template: CfnTemplate): ProjectSettings {
  const resources = Object.entries(template.Resources)
  const functions = resources.filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
  const model =
    (template.Resources.ConnectFunction?.Type === 'AWS::Lambda::Function'
      ? template.Resources.ConnectFunction
      : functions[0]?.[1]
    )?.Properties ?? {}
  // The table a function reads as MEMBERSHIPS_TABLE holds room memberships; the connections table is another one.
  const membershipsTable = functions
    .map(([, resource]) => variablesOf(resource).MEMBERSHIPS_TABLE)
    .find((value) => isTableRef(template, value)) as {Ref: string} | undefined
  const table =
    resources.find(([id, resource]) => resource.Type === 'AWS::DynamoDB::Table' && id !== membershipsTable?.Ref)?.[0] ??
    'ConnectionsTable'
  const tableEnv =
    functions
      .flatMap(([, resource]) => Object.entries(variablesOf(resource)))
      .find(([, value]) => isRef(value, table))?.[0] ?? INIT_DEFAULTS.tableEnv
  const logGroupId = (model.LoggingConfig as {LogGroup?: {Ref?: string}} | undefined)?.LogGroup?.Ref
  const retention = logGroupId ? template.Resources[logGroupId]?.Properties?.RetentionInDays : undefined
  const metadata = (template.Metadata?.wsapi ?? {}) as {connectionIdAttribute?: string}
  // A route's broadcast function (the fan-out function broadcasts too, but carries no rate limit).
  const broadcaster = functions.find(
    ([id, resource]) => id !== 'FanoutFunction' && 'BROADCAST_CONCURRENCY' in variablesOf(resource),
  )?.[1]
  const broadcastVariables = broadcaster ? variablesOf(broadcaster) : undefined
  const rateLimit = broadcastVariables
    ? broadcastVariables.RATE_LIMIT === undefined
      ? undefined
      : {
          burst: text(broadcastVariables.RATE_LIMIT_BURST, String(INIT_DEFAULTS.rateBurst)),
          rate: text(broadcastVariables.RATE_LIMIT, INIT_DEFAULTS.rateLimit),
        }
    : {burst: String(INIT_DEFAULTS.rateBurst), rate: INIT_DEFAULTS.rateLimit}
  const fanout =
    template.Resources.FanoutFunction?.Type === 'AWS::Lambda::Function'
      ? {
          inlineMax: text(broadcastVariables?.FANOUT_INLINE_MAX, String(INIT_DEFAULTS.fanoutInlineMax)),
          postsPerSecond: text(broadcastVariables?.FANOUT_POSTS_PER_SECOND, '9000'),
          shards: text(broadcastVariables?.FANOUT_SHARDS, String(INIT_DEFAULTS.fanoutShards)),
        }
      : undefined
  const reserved = broadcastVariables ? broadcaster?.Properties?.ReservedConcurrentExecutions : undefined
  const indexes = (template.Resources[table]?.Properties?.GlobalSecondaryIndexes ?? []) as Array<{IndexName?: unknown}>
  const rooms = membershipsTable
    ? {principalIndex: indexes.some((index) => index.IndexName === BY_PRINCIPAL_INDEX), table: membershipsTable.Ref}
    : undefined
  return {
    architecture: text((model.Architectures as unknown[] | undefined)?.[0], INIT_DEFAULTS.arch),
    fanout,
    idAttribute: metadata.connectionIdAttribute ?? INIT_DEFAULTS.idAttribute,
    logRetention: typeof retention === 'number' ? retention : INIT_DEFAULTS.logRetention,
    memorySize: typeof model.MemorySize === 'number' ? model.MemorySize : INIT_DEFAULTS.memory,
    rateLimit,
    reservedConcurrency: typeof reserved === 'number' ? reserved : undefined,
    ...(rooms ? {rooms} : {}),
    runtime: text(model.Runtime, INIT_DEFAULTS.runtime),
    table,
    tableEnv,
    timeout: typeof model.Timeout === 'number' ? model.Timeout : INIT_DEFAULTS.timeout,
  }
}
