import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {TEMPLATE_FILE} from '../project/files.js'
import type {ClientTarget, ResolveTargetOptions} from './target.js'
import {normalizeUrl} from './url.js'

/**
 * resolveTarget for a command that must start fast: given a URL outside a project, nothing needs the
 * template, so the YAML parser and project model are loaded only when there is a project to read.
 */
export async function resolveClientTarget(options: ResolveTargetOptions): Promise<ClientTarget> {
  if (options.url && !existsSync(join(options.dir, TEMPLATE_FILE)))
    return {source: 'argument', url: normalizeUrl(options.url)}
  const {resolveTarget} = await import('./target.js')
  return resolveTarget(options)
}
