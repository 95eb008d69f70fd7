/** One invocation waiting for an environment, on behalf of a caller (a connection). */
export interface Waiting {
  caller: string
  /** Its size as held: UTF-16 code units. */
  length: number
}

/**
 * Invocations waiting for a function's environments, one line per caller, served in turn: a connection with a
 * backlog delays another connection's invocation by at most one of its own, where Lambda would have run both at
 * once. Sizes are summed so that the wait can be bounded in memory.
 */
export class WaitingLines<T extends Waiting> {
  /** Insertion order is the turn order: a served caller goes to the back. */
  private readonly lines = new Map<string, {items: T[]; length: number}>()
  private totalCount = 0
  private totalLength = 0

  get count(): number {
    return this.totalCount
  }

  get length(): number {
    return this.totalLength
  }

  add(item: T): void {
    let line = this.lines.get(item.caller)
    if (!line) {
      line = {items: [], length: 0}
      this.lines.set(item.caller, line)
    }

    line.items.push(item)
    line.length += item.length
    this.totalCount++
    this.totalLength += item.length
  }

  /** The first waiting item of the caller whose turn it is. */
  next(): T | undefined {
    const first = this.lines.entries().next()
    if (first.done) return undefined
    const [caller, line] = first.value
    const item = line.items.shift()!
    this.lines.delete(caller)
    if (line.items.length > 0) this.lines.set(caller, line)
    this.account(line, item)
    return item
  }

  /** Removes an item still waiting; false if it is not (any more). */
  remove(item: T): boolean {
    const line = this.lines.get(item.caller)
    const index = line?.items.indexOf(item) ?? -1
    if (!line || index === -1) return false
    line.items.splice(index, 1)
    if (line.items.length === 0) this.lines.delete(item.caller)
    this.account(line, item)
    return true
  }

  /** The newest item of the caller holding the most (by size), if that is more than `than` holds plus `adding`. */
  newestOfLargerThan(than: string, adding: number): T | undefined {
    let largest: {items: T[]; length: number} | undefined
    for (const line of this.lines.values()) if (!largest || line.length > largest.length) largest = line
    const own = (this.lines.get(than)?.length ?? 0) + adding
    return largest && largest.length > own ? largest.items.at(-1) : undefined
  }

  drain(): T[] {
    const items = [...this.lines.values()].flatMap((line) => line.items)
    this.lines.clear()
    this.totalCount = 0
    this.totalLength = 0
    return items
  }

  private account(line: {length: number}, item: T): void {
    line.length -= item.length
    this.totalCount--
    this.totalLength -= item.length
  }
}
