import ansis from 'ansis'

import type {ResourceChangeInfo} from '../lib/aws/cloudformation.js'
import type {FailureReason} from '../lib/deploy/deploy-project.js'
import type {BlockingResource} from '../lib/deploy/destroy.js'
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
  const rows = changes.map((change) => [(ACTION[change.action] ?? ((text: string) => text))(change.action), change.logicalId, ansis.dim(change.resourceType), replacement(change)])
  return table(rows, {header: ['Action', 'Logical ID', 'Type', 'Replacement']})
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}

export function countChanges(changes: ResourceChangeInfo[]): string {
  const counts = ['Add', 'Modify', 'Remove', 'Dynamic', 'Import']
    .map((action) => [action, changes.filter((change) => change.action === action).length] as const)
    .filter(([, count]) => count > 0)
    .map(([action, count]) => `${count} to ${action === 'Add' ? 'add' : action === 'Remove' ? 'remove' : action === 'Modify' ? 'modify' : action.toLowerCase()}`)
  return counts.join(', ')
}

/** Outputs as aligned `key  value` lines, WebSocketUrl (first) in bold. */
export function renderOutputs(outputs: Record<string, string>): string {
  const rows = Object.entries(outputs).map(([key, value]) => [key, key === 'WebSocketUrl' ? ansis.bold(value) : value])
  return ['Outputs:', ...table(rows).split('\n').map((line) => `  ${line}`)].join('\n')
}

export function renderFailures(reasons: FailureReason[]): string {
  return reasons.map((reason) => `  ${colorStatus(reason.status)}  ${reason.logicalId} ${ansis.dim(`(${reason.resourceType})`)}\n    ${reason.reason || 'no reason given'}`).join('\n')
}

export function renderBlocking(resources: BlockingResource[]): string {
  return resources
    .map((resource) => `  ${ansis.red('DELETE_FAILED')}  ${resource.logicalId} ${ansis.dim(`(${resource.resourceType}${resource.physicalId ? ` ${resource.physicalId}` : ''})`)}\n    ${resource.reason || 'no reason given'}\n    ${ansis.cyan('fix:')} ${resource.fix}`)
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
