/**
 * A minimal terminal: replays what a program wrote (text, CR/LF, autowrap, the cursor moves and erases
 * readline uses) and returns the lines a person would see. Enough to check that output printed while
 * someone types does not garble their line; colours and other escapes are ignored.
 */
export function renderScreen(output: string, cols = 120): string[] {
  const lines: string[][] = [[]]
  let row = 0
  let col = 0
  let pendingWrap = false
  const line = (index: number) => {
    while (lines.length <= index) lines.push([])
    return lines[index]
  }

  const chars = [...output]
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]
    if (char === '\u001B') {
      if (chars[i + 1] === '[') {
        let j = i + 2
        let params = ''
        while (j < chars.length && /[0-?]/.test(chars[j])) params += chars[j++]
        while (j < chars.length && /[ -/]/.test(chars[j])) j++
        const final = chars[j]
        i = j
        const n = Number(params.split(';')[0] || 0)
        pendingWrap = final === 'm' ? pendingWrap : false
        switch (final) {
          case 'A': {
            row = Math.max(0, row - (n || 1))
            break
          }

          case 'B': {
            row += n || 1
            break
          }

          case 'C': {
            col = Math.min(cols - 1, col + (n || 1))
            break
          }

          case 'D': {
            col = Math.max(0, col - (n || 1))
            break
          }

          case 'G': {
            col = Math.max(0, (n || 1) - 1)
            break
          }

          case 'J': {
            if (n === 0) {
              line(row).length = Math.min(line(row).length, col)
              lines.length = row + 1
            }

            break
          }

          case 'K': {
            const current = line(row)
            if (n === 0) current.length = Math.min(current.length, col)
            else if (n === 1) for (let k = 0; k <= col && k < current.length; k++) current[k] = ' '
            else current.length = 0
            break
          }

          default:
          // SGR (colours) and anything else: no effect on the text.
        }
      } else if (chars[i + 1] === ']') {
        while (i < chars.length && chars[i] !== '\u0007') i++
      } else {
        i++
      }
    } else if (char === '\r') {
      col = 0
      pendingWrap = false
    } else if (char === '\n') {
      row++
      line(row)
      pendingWrap = false
    } else if (char === '\b') {
      col = Math.max(0, col - 1)
      pendingWrap = false
    } else if (char >= ' ') {
      if (pendingWrap) {
        row++
        col = 0
        pendingWrap = false
      }

      const current = line(row)
      while (current.length < col) current.push(' ')
      current[col] = char
      if (col === cols - 1) pendingWrap = true
      else col++
    }
  }

  return lines.map((chars) => chars.join('').trimEnd())
}

/** The screen's last lines that hold text. */
export function lastLines(output: string, count: number, cols?: number): string[] {
  const lines = renderScreen(output, cols)
  while (lines.length > 0 && lines.at(-1) === '') lines.pop()
  return lines.slice(-count)
}
