/**
 * The $default handler `wsapi init` writes tells senders the custom routes (`export const ROUTES: string[] = [...]`),
 * and its test pins them (`assert.deepEqual(ROUTES, [...])`). `route add` and `route remove` keep both lists in
 * step, as long as each is still the single line init wrote; a list the user rewrote is theirs and left alone.
 */
const LISTS = [
  /^(export const ROUTES: string\[\] = )(\[[^\n\]]*\])$/m,
  /^(\s*assert\.deepEqual\(ROUTES, )(\[[^\n\]]*\])(\))$/m,
]

/** Route keys hold no quotes or backslashes (src/lib/project/names.ts), so each item is one quoted run. */
function items(list: string): string[] | undefined {
  const inner = list.slice(1, -1).trim()
  if (inner === '') return []
  const parts = inner.split(',').map((part) => part.trim())
  const keys = parts
    .map((part) => /^'([^'\\]*)'$|^"([^"\\]*)"$/.exec(part))
    .map((match) => (match ? (match[1] ?? match[2]) : undefined))
  return keys.every((key) => key !== undefined) ? (keys as string[]) : undefined
}

/** `text` with `key` added to (or taken from) its route list, or undefined when it has no list wsapi wrote. */
export function editRouteList(text: string, change: {add?: string; remove?: string}): string | undefined {
  for (const pattern of LISTS) {
    const match = pattern.exec(text)
    if (!match) continue
    const keys = items(match[2])
    if (!keys) return undefined
    if (change.add !== undefined && !keys.includes(change.add)) keys.push(change.add)
    if (change.remove !== undefined) {
      const at = keys.lastIndexOf(change.remove)
      if (at === -1) return undefined
      keys.splice(at, 1)
    }

    // The quotes the list has (Prettier's single quotes in a formatted project).
    const quote = /^\[\s*"/.test(match[2]) ? '"' : "'"
    const list = `[${keys.map((key) => `${quote}${key}${quote}`).join(', ')}]`
    const line = `${match[1]}${list}${match[3] ?? ''}`
    // Prettier (printWidth 120) would break a longer line over several: leave such a list to the user.
    if (line.length > 120) return undefined
    return text.replace(pattern, () => line)
  }

  return undefined
}
