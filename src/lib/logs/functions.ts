import {UsageError} from '../errors.js'
import type {ProjectModel} from '../project/index.js'

/** A function whose log `wsapi logs` shows. */
export interface LogFunction {
  /** The log group (deployed only): its LoggingConfig group, else /aws/lambda/<function name>. */
  logGroup?: string
  logicalId: string
  /** Short name shown before each line: the logical id without "Function", lower case (SendmessageFunction → sendmessage). */
  name: string
  /** Route keys the function handles ($connect, sendmessage…). */
  routes: string[]
}

export function shortName(logicalId: string): string {
  return (logicalId.replace(/Function$/, '') || logicalId).toLowerCase()
}

/** The functions of the template with the routes each handles (authorizers included, they have no route). */
export function projectFunctions(project: ProjectModel): LogFunction[] {
  return Object.keys(project.functions).map((logicalId) => ({
    logicalId,
    name: shortName(logicalId),
    routes: project.routes.filter((route) => route.functionId === logicalId).map((route) => route.key),
  }))
}

const fold = (text: string) => text.toLowerCase().replace(/^\$/, '')

/**
 * The functions named on the command line, each by logical id (SendmessageFunction), short name
 * (sendmessage) or route key ($connect, connect), in any case; all of them when none is named.
 */
export function selectFunctions(all: LogFunction[], names: string[]): LogFunction[] {
  if (names.length === 0) return all
  const picked: LogFunction[] = []
  for (const name of names) {
    const wanted = fold(name)
    const match = all.find(
      (fn) => fold(fn.logicalId) === wanted || fn.name === wanted || fn.routes.some((route) => fold(route) === wanted),
    )
    if (!match) {
      const choices = all
        .map((fn) => `${fn.name}${fn.routes.length > 0 ? ` (${fn.routes.join(', ')})` : ''}`)
        .join(', ')
      throw new UsageError(
        `No function ${JSON.stringify(name)} in this project: name one of ${choices || '(none)'}, by short name, logical id or route key.`,
        {code: 'UNKNOWN_FUNCTION'},
      )
    }

    if (!picked.includes(match)) picked.push(match)
  }

  return picked
}
