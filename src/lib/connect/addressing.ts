/**
 * Who plain lines go to in `wsapi connect` (everyone, a room, one connection) and where an incoming
 * message came from, in the frames of a project made with rooms (README "`wsapi connect`"):
 * `{"message":"sendmessage","room":"<room>","data":…}` or `{"message":"sendmessage","to":"<id>","data":…}`
 * out; `{"room":"<room>","from":"<id>","data":…}` or `{"to":…,"from":…,"data":…}` in.
 */

import {jsonObject} from '../json.js'

export type Audience = {kind: 'connection'; recipient: string} | {kind: 'everyone'} | {kind: 'room'; room: string}

export const EVERYONE: Audience = {kind: 'everyone'}

/** The fields a plain line's frame gets for the audience: `{room}`, `{to}` or none. */
export function audienceFields(audience: Audience): Record<string, string> {
  if (audience.kind === 'room') return {room: audience.room}
  if (audience.kind === 'connection') return {to: audience.recipient}
  return {}
}

/** What the prompt shows before `>`: `[lobby]`, `@<id>`, or nothing for everyone. */
export function audienceLabel(audience: Audience): string | undefined {
  if (audience.kind === 'room') return `[${audience.room}]`
  if (audience.kind === 'connection') return `@${audience.recipient}`
  return undefined
}

/** `room lobby`, `connection <id>`, `everyone`: for the line that confirms /room and /to. */
export function describeAudience(audience: Audience): string {
  if (audience.kind === 'room') return `room ${audience.room}`
  if (audience.kind === 'connection') return `connection ${audience.recipient}`
  return 'everyone'
}

/** Where a message came from, when its frame says: a room, or a direct message. */
export type MessageOrigin = {from?: string; kind: 'direct'} | {from?: string; kind: 'room'; room: string}

/** The longest room name or sender id shown as a label; the rest is the server's to show in the message itself. */
const MAX_LABEL_LENGTH = 64

function shortened(text: string): string {
  return text.length > MAX_LABEL_LENGTH ? `${text.slice(0, MAX_LABEL_LENGTH - 1)}…` : text
}

/**
 * Reads the origin from a frame: a JSON object with a string `room` came from that room; one with a
 * `to` and a `from` (and no room) is a direct message. Anything else (text, arrays, other shapes): undefined.
 */
export function messageOrigin(text: string): MessageOrigin | undefined {
  const value = jsonObject(text)
  if (value === undefined) return undefined
  const {from, room, to} = value
  const sender = typeof from === 'string' && from !== '' ? {from: shortened(from)} : {}
  if (typeof room === 'string' && room !== '') return {kind: 'room', room: shortened(room), ...sender}
  if (to !== undefined && sender.from !== undefined) return {kind: 'direct', ...sender}
  return undefined
}

/** `[lobby]` or `[direct]`: the label an incoming message is shown with. */
export function originLabel(origin: MessageOrigin): string {
  return origin.kind === 'room' ? `[${origin.room}]` : '[direct]'
}
