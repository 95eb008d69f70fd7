import {UsageError} from '../errors.js'

/** What one input line asks for: a message to send, or a slash command. */
export type InputAction =
  | {kind: 'close'; code: number; reason: string}
  | {kind: 'empty'}
  | {kind: 'help'}
  | {kind: 'history'; limit: number}
  | {kind: 'join'; room: string}
  | {kind: 'leave'; room: string}
  | {kind: 'line'; line: string}
  | {kind: 'ping'; data: string}
  | {kind: 'quit'}
  | {kind: 'raw'; text: string}
  | {kind: 'room'; room?: string}
  | {kind: 'route'; route?: string}
  | {kind: 'send'; text: string}
  | {kind: 'to'; recipient?: string}
  | {kind: 'whoami'}

export const SLASH_COMMANDS: Array<[usage: string, description: string]> = [
  ['/help', 'this list'],
  ['/route [key]', 'show the route plain lines go to, or switch to another'],
  ['/join <room>', 'join a room ({"message":"join","room":…})'],
  ['/leave <room>', 'leave a room'],
  ['/room [room]', 'send plain lines to this room; without a room, to everyone again'],
  ['/to [id]', 'send plain lines to one connection (or user:<principalId>); without an id, to everyone again'],
  ['/whoami', "ask the API for this connection's id"],
  ['/send <json>', 'send JSON exactly as typed (any JSON value)'],
  ['/raw <text>', 'send the text exactly as typed, without wrapping it'],
  ['/ping [data]', 'send a WebSocket ping and show the round trip'],
  ['/close [code [reason]]', 'close with a code (default 1000) and reason, then quit'],
  ['/quit', 'close normally (1000) and quit; also Ctrl-C or Ctrl-D'],
  ['/history [n]', 'show the last n (default 20) lines typed to this URL'],
  ['//text', 'send a line that starts with "/" (the first "/" is dropped)'],
]

/** Close codes a client may send (RFC 6455 §7.4; 1004–1006 and 1015 are reserved). */
export function isValidCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999))
  )
}

const MAX_CONTROL_PAYLOAD = 125

/** Room names the generated project accepts: 1–64 letters, digits, `_`, `.` or `-`. */
export const ROOM_NAME = /^[\w.-]{1,64}$/

/** The longest recipient `/to` takes: a connection id, or `user:` and a principal id. */
const MAX_RECIPIENT_LENGTH = 256

function bad(message: string): UsageError {
  return new UsageError(message, {code: 'BAD_COMMAND'})
}

/** Checks a room name; throws a UsageError that says what a room name may hold. */
export function checkRoomName(room: string, command = '/join'): string {
  if (!ROOM_NAME.test(room)) {
    throw bad(
      `${command}: ${JSON.stringify(room)} is not a room name: use 1 to 64 letters, digits, "_", "." or "-", e.g. lobby.`,
    )
  }

  return room
}

function parseRoomArgument(command: string, rest: string, required: boolean): string | undefined {
  const room = rest.trim()
  if (room === '') {
    if (required) throw bad(`${command}: give a room name, e.g. ${command} lobby.`)
    return undefined
  }

  return checkRoomName(room, command)
}

function parseRecipient(rest: string): string | undefined {
  const recipient = rest.trim()
  if (recipient === '') return undefined
  if (/\s/.test(recipient) || recipient.length > MAX_RECIPIENT_LENGTH) {
    throw bad(
      `/to: ${JSON.stringify(recipient.slice(0, 80))} is not a connection id: give one id (as /whoami shows it) or user:<principalId>.`,
    )
  }

  return recipient
}

function parseClose(rest: string): InputAction {
  const match = /^(\S+)?(?:\s+(.*))?$/s.exec(rest)!
  const code = match[1] === undefined ? 1000 : Number(match[1])
  if (!isValidCloseCode(code)) {
    throw bad(
      `/close: ${JSON.stringify(match[1])} is not a close code a client may send: use 1000 (normal), 1001, or 3000–4999.`,
    )
  }

  const reason = match[2] ?? ''
  // A close frame holds at most 125 bytes, two of them the code.
  if (Buffer.byteLength(reason) > MAX_CONTROL_PAYLOAD - 2)
    throw bad(`/close: the reason is ${Buffer.byteLength(reason)} bytes; a close reason holds at most 123.`)
  return {code, kind: 'close', reason}
}

/** Reads one line typed or piped in; throws a UsageError (with what to do) for a bad command. */
export function parseInput(line: string): InputAction {
  if (line.trim() === '') return {kind: 'empty'}
  if (line.startsWith('//')) return {kind: 'line', line: line.slice(1)}
  if (!line.startsWith('/')) return {kind: 'line', line}
  const match = /^\/(\S*)(?:\s(.*))?$/s.exec(line)!
  const name = match[1]
  const rest = match[2] ?? ''
  switch (name) {
    case 'close': {
      return parseClose(rest.trim())
    }

    case 'help': {
      return {kind: 'help'}
    }

    case 'history': {
      const limit = rest.trim() === '' ? 20 : Number(rest.trim())
      if (!Number.isInteger(limit) || limit < 1)
        throw bad(`/history: ${JSON.stringify(rest.trim())} is not a count; give a whole number such as 50.`)
      return {kind: 'history', limit}
    }

    case 'join':
    case 'leave': {
      return {kind: name, room: parseRoomArgument(`/${name}`, rest, true)!}
    }

    case 'ping': {
      if (Buffer.byteLength(rest) > MAX_CONTROL_PAYLOAD)
        throw bad(`/ping: the data is ${Buffer.byteLength(rest)} bytes; a ping holds at most 125.`)
      return {data: rest, kind: 'ping'}
    }

    case 'quit': {
      return {kind: 'quit'}
    }

    case 'raw': {
      return {kind: 'raw', text: rest}
    }

    case 'room': {
      const room = parseRoomArgument('/room', rest, false)
      return room === undefined ? {kind: 'room'} : {kind: 'room', room}
    }

    case 'route': {
      return rest.trim() === '' ? {kind: 'route'} : {kind: 'route', route: rest.trim()}
    }

    case 'send': {
      const text = rest.trim()
      try {
        JSON.parse(text)
      } catch (error) {
        throw bad(
          `/send: ${text === '' ? 'nothing to send' : `not JSON (${(error as Error).message})`}; use /raw to send text as it is.`,
        )
      }

      return {kind: 'send', text}
    }

    case 'to': {
      const recipient = parseRecipient(rest)
      return recipient === undefined ? {kind: 'to'} : {kind: 'to', recipient}
    }

    case 'whoami': {
      if (rest.trim() !== '') throw bad('/whoami takes nothing after it.')
      return {kind: 'whoami'}
    }

    default: {
      throw bad(
        `Unknown command /${name}: type /help for the list (start a line with // to send text that begins with "/").`,
      )
    }
  }
}

/** The help text of the slash commands, one command a line. */
export function slashHelp(): string {
  const width = Math.max(...SLASH_COMMANDS.map(([usage]) => usage.length))
  return SLASH_COMMANDS.map(([usage, description]) => `  ${usage.padEnd(width)}  ${description}`).join('\n')
}
