import {
  type AwsOptions,
  type ConnectionsApi,
  createAwsSession,
  createConnectionsApi,
  type PlainItem,
} from '../aws/index.js'
import {notDeployedError, stackTargetOf} from '../deploy/target.js'
import {DEFAULT_REGION} from '../dev/environment.js'
import {ExitCode, UsageError, WsapiError} from '../errors.js'
import type {Output} from '../output.js'
import {liveDevServers, loadProject, type ProjectModel, readOutputsState} from '../project/index.js'

/** One open connection as `wsapi connections` shows it. */
export interface ConnectionRow {
  /** Any other attributes the handlers stored. */
  attributes?: Record<string, unknown>
  /** ISO 8601, from the item's epoch-millisecond connectedAt. */
  connectedAt?: string
  connectionId: string
  /** When the item expires (TTL), ISO 8601. */
  expiresAt?: string
  /** Who connected, when the handlers store it (an authorizer's principalId). */
  principal?: string
  /** The rooms it joined: from the memberships table when the template has one, else from the item when stored. */
  rooms?: string[]
}

/** The memberships table of `wsapi init --rooms` (one item per room and connection), under its deployed or dev name. */
export interface MembershipsTarget {
  /** Its range key: the connection id. */
  connectionAttribute: string
  /** Its hash key: the room. */
  roomAttribute: string
  tableName: string
}

export interface ConnectionsTarget {
  aws: AwsOptions
  dynamodbEndpoint?: string
  /** Which dev server (pid) or stack, for messages. */
  label: string
  managementEndpoint: string
  /** Where the rooms of each connection are, when the template has a memberships table. */
  memberships?: MembershipsTarget
  region: string
  source: 'deployed' | 'dev'
  tableName: string
  /** The table's key attribute: the connection id. */
  idAttribute: string
}

export interface ConnectionsOptions {
  aws: AwsOptions
  /** The deployed stage even if a dev server runs (--stage or an AWS flag was given). */
  deployed?: boolean
  dir: string
  output: Output
  stage?: string
}

/** wsapi dev checks that @connections calls are signed, not who signed them; DynamoDB (dynalite) the same. */
const DEV_CREDENTIALS = {accessKeyId: 'AKIAWSAPIDEVLOCAL000', secretAccessKey: 'wsapi-dev-local-secret'}

const CONNECTIONS_OUTPUT = 'ConnectionsTable'
const MEMBERSHIPS_OUTPUT = 'MembershipsTable'

/** The logical id an output refers to with `!Ref`, if it does. */
function referencedBy(project: ProjectModel, outputKey: string): string | undefined {
  const output = project.template.Outputs?.[outputKey] as {Value?: unknown} | undefined
  return output?.Value && typeof output.Value === 'object' && 'Ref' in output.Value
    ? String((output.Value as {Ref: unknown}).Ref)
    : undefined
}

interface MembershipsTableModel {
  connectionAttribute: string
  logicalId: string
  roomAttribute: string
}

/**
 * The memberships table of the template (`wsapi init --rooms`): the one its MembershipsTable output names, else the
 * table of that logical id; its key is room (HASH) and connection id (RANGE), see README "Rooms and direct messages".
 */
function membershipsTable(project: ProjectModel): MembershipsTableModel | undefined {
  const referenced = referencedBy(project, MEMBERSHIPS_OUTPUT)
  const table =
    project.tables.find((candidate) => candidate.logicalId === referenced) ??
    project.tables.find((candidate) => candidate.logicalId === MEMBERSHIPS_OUTPUT)
  if (!table?.rangeKey) return undefined
  return {connectionAttribute: table.rangeKey.name, logicalId: table.logicalId, roomAttribute: table.hashKey.name}
}

/** The connections table of the template: the one its ConnectionsTable output names, else the only table. */
function connectionsTable(project: ProjectModel): {idAttribute: string; logicalId: string} {
  const referenced = referencedBy(project, CONNECTIONS_OUTPUT)
  const table =
    project.tables.find((candidate) => candidate.logicalId === referenced) ??
    project.tables.find((candidate) => candidate.logicalId === CONNECTIONS_OUTPUT) ??
    (project.tables.length === 1 ? project.tables[0] : undefined)
  if (!table) {
    throw new UsageError(
      `template.yaml has no connections table: wsapi connections reads the table its ${CONNECTIONS_OUTPUT} output names (as \`wsapi init\` generates it).`,
      {code: 'NO_CONNECTIONS_TABLE'},
    )
  }

  return {idAttribute: table.hashKey.name, logicalId: table.logicalId}
}

/** The running dev server of the project, unless asked for the deployed stage; else the deployed stack's table and @connections. */
export async function resolveConnectionsTarget(options: ConnectionsOptions): Promise<ConnectionsTarget> {
  const project = loadProject(options.dir, {stage: options.stage})
  const table = connectionsTable(project)
  const memberships = membershipsTable(project)
  const membershipsNamed = (tableName: string | undefined): {memberships?: MembershipsTarget} =>
    memberships && tableName
      ? {
          memberships: {
            connectionAttribute: memberships.connectionAttribute,
            roomAttribute: memberships.roomAttribute,
            tableName,
          },
        }
      : {}
  if (!options.deployed) {
    const [dev, ...others] = await liveDevServers(project.dir)
    if (dev) {
      if (others.length > 0)
        options.output.warn(
          `${others.length + 1} wsapi dev servers run in this project: using the one started last (pid ${dev.pid}, ${dev.url}).`,
        )
      const tableName = dev.tables?.find((candidate) => candidate.logicalId === table.logicalId)?.name
      if (!dev.dynamodbEndpoint || !tableName) {
        throw new WsapiError(
          `The wsapi dev server of this project (pid ${dev.pid}) does not say where its DynamoDB is: restart it with this version of wsapi.`,
          {code: 'DEV_TOO_OLD', exit: ExitCode.failure},
        )
      }

      return {
        aws: {credentials: DEV_CREDENTIALS, maxAttempts: 1},
        dynamodbEndpoint: dev.dynamodbEndpoint,
        idAttribute: table.idAttribute,
        label: `wsapi dev (pid ${dev.pid})`,
        managementEndpoint: dev.managementEndpoint,
        ...membershipsNamed(dev.tables?.find((candidate) => candidate.logicalId === memberships?.logicalId)?.name),
        region: DEFAULT_REGION,
        source: 'dev',
        tableName,
      }
    }

    if (!readOutputsState(project.dir, project.stage.name)) {
      throw new WsapiError(
        `No wsapi dev runs in this project and stage ${project.stage.name} was not deployed from here: start \`wsapi dev\`, or pass --stage (or --region) for a deployed stage.`,
        {code: 'NO_CONNECTIONS_SOURCE', exit: ExitCode.failure},
      )
    }
  }

  const target = stackTargetOf(project)
  const session = await createAwsSession(options.aws)
  try {
    const stack = await session.cloudFormation.describeStack(target.stackName)
    if (!stack || stack.status === 'REVIEW_IN_PROGRESS') {
      throw notDeployedError(
        target,
        session.region,
        `No wsapi dev runs in this project and ${target.stackName} is not deployed in ${session.region}: start \`wsapi dev\`, or deploy with \`wsapi deploy\` (or pass the --stage / --region it is in).`,
      )
    }

    const outputs = Object.fromEntries(stack.outputs.map((output) => [output.key, output.value]))
    let tableName = outputs[CONNECTIONS_OUTPUT]
    let membershipsTableName = memberships ? outputs[MEMBERSHIPS_OUTPUT] : undefined
    if (!tableName || (memberships && !membershipsTableName)) {
      const resources = await session.cloudFormation.listStackResources(stack.stackId)
      const physicalId = (logicalId: string) =>
        resources.find((resource) => resource.logicalId === logicalId)?.physicalId
      tableName ||= physicalId(table.logicalId) ?? ''
      if (memberships) membershipsTableName ||= physicalId(memberships.logicalId)
    }

    const managementEndpoint = outputs.ManagementEndpoint ?? outputs.WebSocketUrl?.replace(/^wss:/, 'https:')
    if (!tableName || !managementEndpoint) {
      throw new WsapiError(
        `${target.stackName} has no ${tableName ? 'ManagementEndpoint (or WebSocketUrl)' : CONNECTIONS_OUTPUT} output: redeploy with \`wsapi deploy\` so that it gets one.`,
        {
          code: 'MISSING_OUTPUT',
          exit: ExitCode.failure,
        },
      )
    }

    return {
      aws: options.aws,
      idAttribute: table.idAttribute,
      label: target.stackName,
      managementEndpoint,
      ...membershipsNamed(membershipsTableName),
      region: session.region,
      source: 'deployed',
      tableName,
    }
  } finally {
    session.destroy()
  }
}

function isoFromEpoch(value: unknown, unitMs: number): string | undefined {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN
  return Number.isFinite(number) ? new Date(number * unitMs).toISOString() : undefined
}

const PRINCIPAL_ATTRIBUTES = ['principal', 'principalId', 'userId', 'user', 'sub']
const ROOM_ATTRIBUTES = ['rooms', 'room']

/** A table item as a row: id, connectedAt (epoch ms), expiresAt (epoch s), principal and rooms when stored, the rest as is. */
export function toConnectionRow(item: PlainItem, idAttribute: string): ConnectionRow {
  const {[idAttribute]: id, connectedAt, expiresAt, ...rest} = item
  const row: ConnectionRow = {connectionId: String(id ?? '')}
  const connected = isoFromEpoch(connectedAt, 1)
  if (connected) row.connectedAt = connected
  const expires = isoFromEpoch(expiresAt, 1000)
  if (expires) row.expiresAt = expires
  const principalKey = PRINCIPAL_ATTRIBUTES.find((key) => typeof rest[key] === 'string')
  if (principalKey) {
    row.principal = rest[principalKey] as string
    delete rest[principalKey]
  }

  const roomsKey = ROOM_ATTRIBUTES.find((key) => rest[key] !== undefined)
  if (roomsKey) {
    const rooms = rest[roomsKey]
    row.rooms = (Array.isArray(rooms) ? rooms : [rooms]).map(String).sort()
    delete rest[roomsKey]
  }

  if (Object.keys(rest).length > 0) row.attributes = rest
  return row
}

async function withApi<T>(target: ConnectionsTarget, use: (api: ConnectionsApi) => Promise<T>): Promise<T> {
  const api = await createConnectionsApi({
    aws: target.aws,
    dynamodbEndpoint: target.dynamodbEndpoint,
    managementEndpoint: target.managementEndpoint,
    region: target.region,
  })
  try {
    return await use(api)
  } finally {
    api.destroy()
  }
}

/**
 * The rooms of every connection, from one Scan of the memberships table (its two key attributes only). One Scan
 * rather than a Query of the index byConnection per connection: the listing reads every connection anyway, a
 * membership item is a few dozen bytes, so the Scan costs a fraction of a read unit per connection in a handful of
 * round trips, where a Query per connection costs at least one read unit and one round trip each.
 */
async function roomsByConnection(api: ConnectionsApi, memberships: MembershipsTarget): Promise<Map<string, string[]>> {
  const rooms = new Map<string, string[]>()
  for await (const item of api.scan(memberships.tableName, [
    memberships.roomAttribute,
    memberships.connectionAttribute,
  ])) {
    const connectionId = item[memberships.connectionAttribute]
    const room = item[memberships.roomAttribute]
    if (typeof connectionId !== 'string' || typeof room !== 'string') continue
    const joined = rooms.get(connectionId)
    if (joined) joined.push(room)
    else rooms.set(connectionId, [room])
  }

  return rooms
}

async function scanConnections(api: ConnectionsApi, target: ConnectionsTarget): Promise<ConnectionRow[]> {
  const rows: ConnectionRow[] = []
  for await (const item of api.scan(target.tableName)) rows.push(toConnectionRow(item, target.idAttribute))
  return rows
}

/**
 * Every item of the connections table, oldest connection first. With a memberships table, each connection's rooms
 * are the ones it is a member of (none: an empty list); memberships of connections that are gone (their items
 * wait for TTL) are left out.
 */
export async function listConnections(target: ConnectionsTarget): Promise<ConnectionRow[]> {
  return withApi(target, async (api) => {
    const {memberships} = target
    const [rows, rooms] = await Promise.all([
      scanConnections(api, target),
      memberships ? roomsByConnection(api, memberships) : undefined,
    ])
    if (rooms) for (const row of rows) row.rooms = (rooms.get(row.connectionId) ?? []).sort()
    return rows.sort(
      (a, b) =>
        (a.connectedAt ?? '').localeCompare(b.connectedAt ?? '') || a.connectionId.localeCompare(b.connectionId),
    )
  })
}

/** Sends `data` to the connection through `@connections` (GoneException → "connection X is gone", exit 1). */
export async function postToConnection(
  target: ConnectionsTarget,
  connectionId: string,
  data: Uint8Array,
): Promise<void> {
  validateConnectionId(connectionId)
  await withApi(target, (api) => api.post(connectionId, data))
}

/** Closes the connection through `@connections` (DELETE). */
export async function dropConnection(target: ConnectionsTarget, connectionId: string): Promise<void> {
  validateConnectionId(connectionId)
  await withApi(target, (api) => api.drop(connectionId))
}

/** API Gateway connection ids are short base64-like strings (e.g. "L0SM9cOFvHcCIhw="). */
function validateConnectionId(connectionId: string): void {
  if (!/^[\w+=/-]{1,128}$/.test(connectionId)) {
    throw new UsageError(
      `Invalid connection id ${JSON.stringify(connectionId)}: give one that \`wsapi connections\` lists, e.g. L0SM9cOFvHcCIhw=.`,
      {code: 'INVALID_CONNECTION_ID'},
    )
  }
}
