import {crc32, inflateRawSync} from 'node:zlib'

export interface UnzippedEntry {
  data: Buffer
  dosDate: number
  dosTime: number
  name: string
  unixMode: number
}

/** A small zip reader (central directory → local headers → inflate), checking every CRC. */
export function unzip(zip: Buffer): UnzippedEntry[] {
  const endOffset = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (endOffset === -1) throw new Error('no end of central directory')
  const count = zip.readUInt16LE(endOffset + 10)
  let offset = zip.readUInt32LE(endOffset + 16)
  const entries: UnzippedEntry[] = []
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02_01_4b_50) throw new Error('bad central directory entry')
    const method = zip.readUInt16LE(offset + 10)
    const dosTime = zip.readUInt16LE(offset + 12)
    const dosDate = zip.readUInt16LE(offset + 14)
    const crc = zip.readUInt32LE(offset + 16)
    const compressedSize = zip.readUInt32LE(offset + 20)
    const nameLength = zip.readUInt16LE(offset + 28)
    const extraLength = zip.readUInt16LE(offset + 30)
    const commentLength = zip.readUInt16LE(offset + 32)
    const external = zip.readUInt32LE(offset + 38)
    const localOffset = zip.readUInt32LE(offset + 42)
    const name = zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8')
    const localNameLength = zip.readUInt16LE(localOffset + 26)
    const localExtraLength = zip.readUInt16LE(localOffset + 28)
    const start = localOffset + 30 + localNameLength + localExtraLength
    const raw = zip.subarray(start, start + compressedSize)
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw)
    if (crc32(data) !== crc) throw new Error(`CRC mismatch in ${name}`)
    entries.push({data, dosDate, dosTime, name, unixMode: external >>> 16})
    offset += 46 + nameLength + extraLength + commentLength
  }

  return entries
}
