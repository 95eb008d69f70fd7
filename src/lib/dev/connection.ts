import type {Socket} from 'node:net'

import type {WebSocket} from 'ws'

import type {ConnectionIdentity} from '../apigw/events.js'

export type ConnectionState = 'closed' | 'closing' | 'open' | 'pending'

export interface CloseStatus {
  code: number
  reason: string
}

/** One client connection, from the upgrade request to $disconnect. */
export class Connection {
  /** Set when the server closes the connection, so that $disconnect reports why. */
  closedBy?: CloseStatus
  disconnected = false
  lastActiveAt: number
  /** Sec-WebSocket-Protocol returned by $connect. */
  protocol?: string
  socket?: Socket
  state: ConnectionState = 'pending'
  timers: NodeJS.Timeout[] = []
  ws?: WebSocket

  constructor(readonly identity: ConnectionIdentity) {
    this.lastActiveAt = identity.connectedAt
  }

  get id(): string {
    return this.identity.connectionId
  }
}

/** Open (and pending) connections by id. */
export class ConnectionRegistry {
  private readonly byId = new Map<string, Connection>()

  add(connection: Connection): void {
    this.byId.set(connection.id, connection)
  }

  delete(connection: Connection): void {
    if (this.byId.get(connection.id) === connection) this.byId.delete(connection.id)
  }

  get(id: string): Connection | undefined {
    return this.byId.get(id)
  }

  /** Only connections whose handshake completed and that are not closing. */
  open(): Connection[] {
    return [...this.byId.values()].filter((connection) => connection.state === 'open')
  }

  all(): Connection[] {
    return [...this.byId.values()]
  }

  get size(): number {
    return this.byId.size
  }
}
