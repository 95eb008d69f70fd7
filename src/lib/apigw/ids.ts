import {createHash, randomBytes} from 'node:crypto'

/**
 * IDs in API Gateway's format: 11 bytes, URL-safe base64, so 15 characters and one `=` (e.g. BFHPhfCWIAMCKlQ=).
 * Real ids made at the same moment share a prefix, so ours start with the time too; a counter and random
 * bytes make them unique.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{15}=$/

let counter = Math.floor(Math.random() * 0x1_00_00)
let pool = Buffer.alloc(0)
let poolOffset = 0

function random3(): Buffer {
  // One randomBytes call per 1024 ids: this runs for every event and message.
  if (poolOffset + 3 > pool.length) {
    pool = randomBytes(3 * 1024)
    poolOffset = 0
  }

  poolOffset += 3
  return pool.subarray(poolOffset - 3, poolOffset)
}

export function newId(now = Date.now()): string {
  const bytes = Buffer.allocUnsafe(11)
  bytes.writeUIntBE(now % 2 ** 48, 0, 6)
  counter = (counter + 1) & 0xff_ff
  bytes.writeUInt16BE(counter, 6)
  random3().copy(bytes, 8)
  return `${bytes.toString('base64url')}=`
}

/** A 10-character API id like API Gateway's (e.g. fjnq7njcv2), stable for a project name. */
export function apiIdFor(name: string): string {
  const digest = createHash('sha256').update(name).digest()
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  let id = ''
  for (let i = 0; i < 10; i++) id += alphabet[digest[i] % alphabet.length]
  return id
}

/** An X-Amzn-Trace-Id value: Root=1-<8 hex seconds>-<24 hex>. */
export function traceId(now = Date.now()): string {
  return `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`
}
