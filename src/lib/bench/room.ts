import {apiGatewayError} from '../apigw/error-frames.js'
import type {BenchClient} from './clients.js'

/**
 * `wsapi bench --room NAME`: before the schedule starts, every open client sends the join frame and
 * waits for the reply to it (a project made with rooms answers `{"joined":"<room>"}`). Only clients
 * whose join was answered without an error are members: they send, and they are the recipients
 * expected for each message.
 */

/** Why a join did not take: the error the API answered with, or `no reply` / `closed`. */
export function joinRefusal(text: string | undefined): string | undefined {
  if (text === undefined) return 'binary reply'
  const error = apiGatewayError(text)
  if (error) return error.message
  try {
    const value: unknown = JSON.parse(text)
    if (value !== null && typeof value === 'object' && Object.hasOwn(value, 'error')) return 'error reply'
  } catch {}

  return undefined
}

export interface RoomReport {
  /** Clients whose join was refused or not answered, by reason (`no reply`, `Forbidden`, `error reply`, …). */
  failures: Record<string, number>
  /** Clients that joined: the members each message should reach. */
  joined: number
  name: string
  /** Clients that were open to try. */
  tried: number
}

export class RoomJoins {
  /** Indexes of the clients that joined. */
  readonly members = new Set<number>()
  private readonly failures = new Map<string, number>()
  private readonly pending = new Map<number, (text: string | undefined) => void>()
  private tried = 0

  constructor(
    readonly name: string,
    private readonly frame: string,
    private readonly timeoutMs: number,
  ) {}

  /** Sends the join frame and waits for the reply, the socket's close or the timeout; never rejects. */
  join(client: BenchClient): Promise<void> {
    const {socket} = client
    if (!socket) return Promise.resolve()
    this.tried++
    return new Promise<void>((resolve) => {
      const settle = (refusal: string | undefined) => {
        clearTimeout(timer)
        socket.off('close', onClose)
        this.pending.delete(client.index)
        if (refusal === undefined) this.members.add(client.index)
        else this.failures.set(refusal, (this.failures.get(refusal) ?? 0) + 1)
        resolve()
      }

      const onClose = () => settle('closed')
      const timer = setTimeout(() => settle('no reply'), this.timeoutMs)
      this.pending.set(client.index, (text) => settle(joinRefusal(text)))
      socket.once('close', onClose)
      socket.send(this.frame, (error) => {
        if (error) settle('send failed')
      })
    })
  }

  report(): RoomReport {
    return {failures: Object.fromEntries(this.failures), joined: this.members.size, name: this.name, tried: this.tried}
  }

  /** True when the frame is the reply to the client's pending join (it is then not a delivery or another frame). */
  take(client: BenchClient, text: string | undefined): boolean {
    const answer = this.pending.get(client.index)
    if (!answer) return false
    answer(text)
    return true
  }
}
