import ansis from 'ansis'

import type {ResourceChangeInfo} from '../lib/aws/cloudformation.js'
import type {FailureReason} from '../lib/deploy/stack-status.js'
import type {BlockingResource} from '../lib/deploy/destroy.js'
import {terminalLine} from '../lib/terminal-text.js'
import {table} from './output.js'
import {colorStatus} from './stack-activity.js'

const ACTION: Record<string, (text: string) => string> = {
  Add: (text) => ansis.green(text),
  Dynamic: (text) => ansis.yellow(text),
  Import: (text) => ansis.cyan(text),
  Modify: (text) => ansis.yellow(text),
  Remove: (text) => ansis.red(text),
}

function replacement(change: ResourceChangeInfo): string {
  if (change.action !== 'Modify' || !change.replacement || change.replacement === 'False') return ''
  return change.replacement === 'True' ? ansis.red('Replace') : ansis.yellow('May replace')
}

/** The change set summary: action, logical id, type, replacement. */
export function renderChanges(changes: ResourceChangeInfo[]): string {
  const rows = changes.map((change) => [
    (ACTION[change.action] ?? ((text: string) => text))(terminalLine(change.action)),
    terminalLine(change.logicalId),
    ansis.dim(terminalLine(change.resourceType)),
    replacement(change),
  ])
  return table(rows, {header: ['Action', 'Logical ID', 'Type', 'Replacement']})
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}

export function countChanges(changes: ResourceChangeInfo[]): string {
  const counts = ['Add', 'Modify', 'Remove', 'Dynamic', 'Import']
    .map((action) => [action, changes.filter((change) => change.action === action).length] as const)
    .filter(([, count]) => count > 0)
    .map(
      ([action, count]) =>
        `${count} to ${action === 'Add' ? 'add' : action === 'Remove' ? 'remove' : action === 'Modify' ? 'modify' : action.toLowerCase()}`,
    )
  return counts.join(', ')
}

/** Outputs as aligned `key  value` lines, WebSocketUrl (first) in bold. */
export function renderOutputs(outputs: Record<string, string>): string {
  // A stack's outputs are its own values (a stack of the same name may not be wsapi's): shown, never obeyed.
  const rows = Object.entries(outputs).map(([key, value]) => [
    terminalLine(key),
    key === 'WebSocketUrl' ? ansis.bold(terminalLine(value)) : terminalLine(value),
  ])
  return [
    'Outputs:',
    ...table(rows)
      .split('\n')
      .map((line) => `  ${line}`),
  ].join('\n')
}

/** CloudFormation's reasons quote other services (and values of the stack): their controls are shown, never obeyed. */
export function renderFailures(reasons: FailureReason[]): string {
  return reasons
    .map(
      (reason) =>
        `  ${colorStatus(terminalLine(reason.status))}  ${terminalLine(reason.logicalId)} ${ansis.dim(`(${terminalLine(reason.resourceType)})`)}\n    ${terminalLine(reason.reason) || 'no reason given'}`,
    )
    .join('\n')
}

export function renderBlocking(resources: BlockingResource[]): string {
  return resources
    .map(
      (resource) =>
        `  ${ansis.red('DELETE_FAILED')}  ${terminalLine(resource.logicalId)} ${ansis.dim(`(${terminalLine(`${resource.resourceType}${resource.physicalId ? ` ${resource.physicalId}` : ''}`)})`)}\n    ${terminalLine(resource.reason) || 'no reason given'}\n    ${ansis.cyan('fix:')} ${terminalLine(resource.fix)}`,
    )
    .join('\n')
}

/** "3 minutes ago", "2 days ago". */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  const units: Array<[number, string]> = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ]
  for (const [size, name] of units) {
    const count = Math.floor(seconds / size)
    if (count >= 1) return `${count} ${name}${count === 1 ? '' : 's'} ago`
  }

  return 'just now'
}
