/** The JSON object `text` holds, or undefined for anything else (not JSON, an array, a string, null…). */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  // Most frames a client sees are not objects: skip the parse (and its exception) for them.
  if (!text.trimStart().startsWith('{')) return undefined
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
