import type {ApiGatewayManagementApiClient} from '@aws-sdk/client-apigatewaymanagementapi'
import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb'

import {type BroadcastResult, broadcast} from './broadcast.js'
import type {ConnectionsTable} from './connections.js'
import {type BroadcastSpec, type FanoutSettings, type ShardTask} from './fanout.js'
import {MAX_CONNECTION_SECONDS} from './limits.js'
import {isGone, postToConnection} from './management.js'
import type {WebSocketEvent} from './types.js'

/** Room names: 1 to 64 letters, digits, `_`, `.` or `-`, so that they are safe in logs, keys and URLs. */
export const ROOM_NAME = /^[A-Za-z0-9_.-]{1,64}$/

/** API Gateway's connection ids are short printable strings; anything else cannot be one. */
const CONNECTION_ID = /^[\x21-\x7e]{1,128}$/

/** `"to": "user:<principalId>"` addresses every connection of one authorized user. */
export const USER_PREFIX = 'user:'

/** The memberships table's index by connection (HASH connectionId, RANGE room). */
export const BY_CONNECTION_INDEX = 'byConnection'

/** The connections table's index by principal (HASH principalId), sparse: only authorized connections carry one. */
export const BY_PRINCIPAL_INDEX = 'byPrincipal'

export type RoomCheck = {ok: true; room: string} | {error: string; ok: false}

/** Checks a room name; the error says what a valid one looks like. */
export function checkRoomName(value: unknown): RoomCheck {
  if (typeof value === 'string' && ROOM_NAME.test(value)) return {ok: true, room: value}
  return {
    error: `Invalid room name ${JSON.stringify(value ?? null)}: use 1 to 64 letters, digits, "_", "." or "-", e.g. "lobby".`,
    ok: false,
  }
}

/** The `room` of a join or leave request; errors show a request that works. */
export function requestedRoom(body: string | undefined, example: string): RoomCheck {
  let message: unknown
  try {
    message = JSON.parse(body ?? '')
  } catch {
    return {error: `Message is not JSON. Send ${example}`, ok: false}
  }

  const room = message !== null && typeof message === 'object' ? (message as {room?: unknown}).room : undefined
  const check = checkRoomName(room)
  return check.ok ? check : {error: `${check.error} Send ${example}`, ok: false}
}

/** Where a message goes: every connection (no `room` and no `to`), one room, or one recipient. */
export type MessageTarget = {kind: 'all'} | {kind: 'room'; room: string} | {kind: 'to'; to: string}

/** Reads `room` or `to` of a message that parseMessage has accepted; both at once is an error. */
export function messageTarget(
  body: string | undefined,
): {error: string; ok: false} | {ok: true; target: MessageTarget} {
  const message = JSON.parse(body ?? '{}') as Record<string, unknown>
  const hasRoom = Object.hasOwn(message, 'room')
  const hasTo = Object.hasOwn(message, 'to')
  if (hasRoom && hasTo)
    return {error: 'A message goes to a "room" or "to" one recipient, not both: drop one of them.', ok: false}
  if (hasRoom) {
    const check = checkRoomName(message.room)
    return check.ok ? {ok: true, target: {kind: 'room', room: check.room}} : check
  }

  if (hasTo) {
    const {to} = message
    if (typeof to !== 'string' || !CONNECTION_ID.test(to) || to === USER_PREFIX) {
      return {
        error: `Invalid recipient ${JSON.stringify(to ?? null)}: "to" is a connection id (send {"message":"whoami"} to learn yours) or "user:<principalId>".`,
        ok: false,
      }
    }

    return {ok: true, target: {kind: 'to', to}}
  }

  return {ok: true, target: {kind: 'all'}}
}

/**
 * Who authorized the connection: the principalId its $connect authorizer returned, or for AWS_IAM the caller's
 * ARN; undefined without authorization. API Gateway passes both on with every event of the connection.
 */
export function principalOf(event: Pick<WebSocketEvent, 'requestContext'>): string | undefined {
  const principalId = event.requestContext.authorizer?.principalId
  if (typeof principalId === 'string' && principalId !== '') return principalId
  return event.requestContext.identity.userArn
}

export interface MembershipsTableOptions {
  client?: DynamoDBClient
  tableName: string
}

/**
 * Room memberships, one item per (room, connection): the key is room (HASH) and connectionId (RANGE), so a room's
 * members are one Query; the index byConnection finds a connection's rooms for $disconnect and whoami. Items
 * expire (TTL on expiresAt) when API Gateway ends the connection, at most 2 hours after it opened.
 */
export class MembershipsTable {
  readonly client: DynamoDBClient
  readonly tableName: string

  constructor(options: MembershipsTableOptions) {
    this.client = options.client ?? new DynamoDBClient({cacheMiddleware: true})
    this.tableName = options.tableName
  }

  /** `connectedAt`: the epoch milliseconds API Gateway reports; the membership expires with the connection. */
  async join(room: string, connectionId: string, connectedAt: number): Promise<void> {
    const expiresAt = Math.floor(connectedAt / 1000) + MAX_CONNECTION_SECONDS
    await this.client.send(
      new PutItemCommand({
        Item: {connectionId: {S: connectionId}, expiresAt: {N: String(expiresAt)}, room: {S: room}},
        TableName: this.tableName,
      }),
    )
  }

  async leave(room: string, connectionId: string): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({Key: {connectionId: {S: connectionId}, room: {S: room}}, TableName: this.tableName}),
    )
  }

  async isMember(room: string, connectionId: string): Promise<boolean> {
    const {Item: item} = await this.client.send(
      new GetItemCommand({
        ConsistentRead: true,
        Key: {connectionId: {S: connectionId}, room: {S: room}},
        ProjectionExpression: 'room',
        TableName: this.tableName,
      }),
    )
    return item !== undefined
  }

  /** The room's members, page by page. */
  async *members(room: string): AsyncGenerator<string> {
    yield* this.query(
      {
        ExpressionAttributeValues: {':room': {S: room}},
        KeyConditionExpression: 'room = :room',
        ProjectionExpression: 'connectionId',
        TableName: this.tableName,
      },
      'connectionId',
    )
  }

  /** The rooms a connection has joined, from the index by connection (eventually consistent, as every GSI). */
  async roomsOf(connectionId: string): Promise<string[]> {
    const rooms: string[] = []
    const pages = this.query(
      {
        ExpressionAttributeValues: {':connectionId': {S: connectionId}},
        IndexName: BY_CONNECTION_INDEX,
        KeyConditionExpression: 'connectionId = :connectionId',
        TableName: this.tableName,
      },
      'room',
    )
    for await (const room of pages) rooms.push(room)
    return rooms.sort()
  }

  /** Removes the connection from every room it joined; returns those rooms. */
  async leaveAll(connectionId: string): Promise<string[]> {
    const rooms = await this.roomsOf(connectionId)
    await Promise.all(rooms.map((room) => this.leave(room, connectionId)))
    return rooms
  }

  private async *query(
    input: ConstructorParameters<typeof QueryCommand>[0],
    attribute: string,
  ): AsyncGenerator<string> {
    let startKey: Record<string, AttributeValue> | undefined
    do {
      const page = await this.client.send(new QueryCommand({...input, ExclusiveStartKey: startKey}))
      for (const item of page.Items ?? []) {
        const value = item[attribute]?.S
        if (value) yield value
      }

      startKey = page.LastEvaluatedKey
    } while (startKey)
  }
}

/** The ids of every open connection of one principal, from the connections table's index by principal. */
export async function connectionsOfPrincipal(table: ConnectionsTable, principalId: string): Promise<string[]> {
  const ids: string[] = []
  let startKey: Record<string, AttributeValue> | undefined
  do {
    const page = await table.client.send(
      new QueryCommand({
        ExclusiveStartKey: startKey,
        ExpressionAttributeNames: {'#id': table.idAttribute},
        ExpressionAttributeValues: {':principalId': {S: principalId}},
        IndexName: BY_PRINCIPAL_INDEX,
        KeyConditionExpression: 'principalId = :principalId',
        ProjectionExpression: '#id',
        TableName: table.tableName,
      }),
    )
    for (const item of page.Items ?? []) {
      const id = item[table.idAttribute]?.S
      if (id) ids.push(id)
    }

    startKey = page.LastEvaluatedKey
  } while (startKey)
  return ids
}

/** Stores a new connection as ConnectionsTable.add does, with the principal that authorized it, for `"to": "user:…"`. */
export async function addConnectionOfPrincipal(
  table: ConnectionsTable,
  connectionId: string,
  connectedAt: number,
  principalId: string | undefined,
): Promise<void> {
  const expiresAt = Math.floor(connectedAt / 1000) + MAX_CONNECTION_SECONDS
  await table.client.send(
    new PutItemCommand({
      Item: {
        [table.idAttribute]: {S: connectionId},
        connectedAt: {N: String(connectedAt)},
        expiresAt: {N: String(expiresAt)},
        ...(principalId === undefined ? {} : {principalId: {S: principalId}}),
      },
      TableName: table.tableName,
    }),
  )
}

/** What a room's members receive: `{"room": …, "from": <sender's connection id>, "data": …}`. */
export function roomMessage(room: string, from: string, data: unknown): {data: unknown; from: string; room: string} {
  return {room, from, data}
}

export interface SendToRoomOptions {
  client: ApiGatewayManagementApiClient
  concurrency: number
  connections: ConnectionsTable
  data: unknown
  memberships: MembershipsTable
  onError?: (connectionId: string, error: unknown) => void
  room: string
  sender: string
}

/** The room's members, read to the end: a room's audience is known before it is split into shards or posted to. */
export async function roomMembers(memberships: MembershipsTable, room: string): Promise<string[]> {
  const ids: string[] = []
  for await (const id of memberships.members(room)) ids.push(id)
  return ids
}

/**
 * Posts the message to the room's members (the sender included) through the same broadcast as everything else.
 * A member that has gone leaves the room, and its connection is removed unless it is still in its $connect.
 */
export async function sendToRoom(
  options: SendToRoomOptions,
  recipients: Iterable<string> | AsyncIterable<string> = options.memberships.members(options.room),
): Promise<BroadcastResult> {
  const {connections, memberships, room} = options
  return broadcast({
    client: options.client,
    concurrency: options.concurrency,
    data: JSON.stringify(roomMessage(room, options.sender, options.data)),
    onError: options.onError,
    onGone: (recipient) => Promise.all([memberships.leave(room, recipient), connections.removeGone(recipient)]),
    recipients,
  })
}

export interface SendDirectOptions {
  client: ApiGatewayManagementApiClient
  connections: ConnectionsTable
  data: unknown
  onError?: (connectionId: string, error: unknown) => void
  sender: string
  /** A connection id, or `user:<principalId>` for every connection of that principal. */
  to: string
}

/** How many recipients got the message, had gone (410), or could not be reached for another reason. */
export interface DirectResult {
  failed: number
  gone: number
  sent: number
}

/**
 * Posts `{"from": <sender>, "to": <to>, "data": …}` to one connection, or to every connection of one principal;
 * `to` is the address as the sender wrote it, so a client can tell a direct message from a broadcast.
 */
export async function sendDirect(options: SendDirectOptions): Promise<DirectResult> {
  const {connections, to} = options
  const recipients = to.startsWith(USER_PREFIX)
    ? await connectionsOfPrincipal(connections, to.slice(USER_PREFIX.length))
    : [to]
  const text = JSON.stringify({from: options.sender, to, data: options.data})
  const result: DirectResult = {failed: 0, gone: 0, sent: 0}
  await Promise.all(
    recipients.map(async (recipient) => {
      try {
        await postToConnection(options.client, recipient, text)
        result.sent++
      } catch (error) {
        if (!isGone(error)) {
          result.failed++
          options.onError?.(recipient, error)
          return
        }

        result.gone++
        await connections
          .removeGone(recipient)
          .catch((cleanupError: unknown) => options.onError?.(recipient, cleanupError))
      }
    }),
  )
  return result
}

/** The reply to the sender of a direct message that reached nobody: `{"error": "gone", "to": …}`. */
export function goneReply(to: string): string {
  return JSON.stringify({error: 'gone', to})
}

/** Recipients one fan-out task carries at most: about 20 bytes each keeps its event far below Lambda's payload limit. */
export const ROOM_SHARD_MAX_RECIPIENTS = 5000

/**
 * Splits a large room's members into tasks for the fan-out function, as planShards does for a broadcast to every
 * connection: here the audience is known, so each task carries its recipients (`pending`) and no scan, and the
 * tasks share the broadcast's budget of posts per second.
 */
export function planRoomShards(
  broadcast: BroadcastSpec,
  members: string[],
  settings: Pick<FanoutSettings, 'postsPerSecond' | 'shards'>,
): ShardTask[] {
  const perTask = Math.min(ROOM_SHARD_MAX_RECIPIENTS, Math.ceil(members.length / settings.shards))
  const tasks = Math.ceil(members.length / perTask)
  return Array.from({length: tasks}, (_, index) => ({
    broadcast,
    pending: members.slice(index * perTask, (index + 1) * perTask),
    postsPerSecond: settings.postsPerSecond / tasks,
  }))
}
