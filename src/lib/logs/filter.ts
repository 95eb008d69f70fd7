import {UsageError} from '../errors.js'

/**
 * CloudWatch Logs filter patterns, for the lines of `wsapi dev` (CloudWatch applies them itself to
 * deployed logs): terms (all must occur), "quoted phrases", ?term (any of these), -term (none of these),
 * %regular expression%, and JSON patterns `{ $.field = value }` joined by && or ||. Matching is case
 * sensitive, as in CloudWatch. Space-delimited patterns ([a, b]) are not supported here.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export type LineMatcher = (text: string) => boolean

interface Term {
  kind: 'all' | 'any' | 'none'
  test: (text: string) => boolean
}

function tokenize(pattern: string): string[] {
  const tokens: string[] = []
  const re = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|%([^%]*)%|(\S+))/g
  for (const match of pattern.matchAll(re)) tokens.push(match[0])
  return tokens
}

function term(token: string): Term {
  const kind = token.startsWith('?') ? 'any' : token.startsWith('-') && token.length > 1 ? 'none' : 'all'
  const body = kind === 'all' ? token : token.slice(1)
  if (body.startsWith('%') && body.endsWith('%') && body.length > 1) {
    let regex: RegExp
    try {
      regex = new RegExp(body.slice(1, -1))
    } catch {
      throw new UsageError(`Invalid --filter: ${body} is not a valid regular expression.`, {code: 'INVALID_FILTER'})
    }

    return {kind, test: (text) => regex.test(text)}
  }

  const literal =
    body.startsWith('"') && body.endsWith('"') && body.length > 1 ? body.slice(1, -1).replaceAll(/\\(.)/g, '$1') : body
  return {kind, test: (text) => text.includes(literal)}
}

function jsonValue(document: unknown, path: string): unknown {
  let value = document
  for (const part of path
    .replace(/^\$\.?/, '')
    .split(/\.|\[(\d+)\]/)
    .filter(Boolean)) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[part]
  }

  return value
}

function comparison(source: string): (document: unknown) => boolean {
  const match = /^\s*(\$[\w.[\]]*)\s*(=|!=|>=|<=|>|<)\s*(.+?)\s*$/.exec(source)
  if (!match)
    throw new UsageError(
      `Invalid --filter: cannot read ${JSON.stringify(source.trim())}; write JSON patterns as { $.field = value }.`,
      {code: 'INVALID_FILTER'},
    )
  const [, path, operator, rawValue] = match
  const quoted = /^"(.*)"$/.exec(rawValue)
  const expected = quoted ? quoted[1] : rawValue
  return (document) => {
    const actual = jsonValue(document, path)
    if (operator === '=' || operator === '!=') {
      let equal: boolean
      if (!quoted && expected === 'NULL') equal = actual === null
      else if (!quoted && (expected === 'TRUE' || expected === 'FALSE' || expected === 'true' || expected === 'false'))
        equal = actual === (expected.toLowerCase() === 'true')
      else if (!quoted && typeof actual === 'number') equal = actual === Number(expected)
      else {
        const wildcard = new RegExp(
          `^${expected
            .split('*')
            .map((part) => part.replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`))
            .join('.*')}$`,
        )
        equal = actual !== undefined && actual !== null && typeof actual !== 'object' && wildcard.test(String(actual))
      }

      return operator === '=' ? equal : actual !== undefined && !equal
    }

    const number = Number(expected)
    if (typeof actual !== 'number' || !Number.isFinite(number)) return false
    return operator === '>'
      ? actual > number
      : operator === '<'
        ? actual < number
        : operator === '>='
          ? actual >= number
          : actual <= number
  }
}

function jsonMatcher(pattern: string): LineMatcher {
  const body = pattern.trim().slice(1, -1)
  if (/[()]/.test(body.replaceAll(/"[^"]*"/g, '')))
    throw new UsageError(
      'Invalid --filter for wsapi dev: parentheses in JSON patterns are not supported here; use && or || alone.',
      {code: 'INVALID_FILTER'},
    )
  const any = body.split('||').map((alternative) => alternative.split('&&').map((part) => comparison(part)))
  return (text) => {
    let document: unknown
    try {
      document = JSON.parse(text)
    } catch {
      return false
    }

    return any.some((all) => all.every((test) => test(document)))
  }
}

/** A matcher for the pattern (every line matches an empty one). */
export function lineMatcher(pattern: string | undefined): LineMatcher {
  if (!pattern?.trim()) return () => true
  const trimmed = pattern.trim()
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) return jsonMatcher(trimmed)
  if (trimmed.startsWith('[')) {
    throw new UsageError(
      'Space-delimited filter patterns ([…]) work only against CloudWatch Logs: for wsapi dev, use terms, "phrases", ?any, -exclude, %regex% or { $.field = value }.',
      {code: 'INVALID_FILTER'},
    )
  }

  const terms = tokenize(trimmed).map((token) => term(token))
  const all = terms.filter((t) => t.kind === 'all')
  const any = terms.filter((t) => t.kind === 'any')
  const none = terms.filter((t) => t.kind === 'none')
  return (text) =>
    all.every((t) => t.test(text)) &&
    (any.length === 0 || any.some((t) => t.test(text))) &&
    !none.some((t) => t.test(text))
}
