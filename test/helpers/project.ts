import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {planProject, type RawInitOptions, resolveInitOptions} from '../../src/lib/scaffold/index.js'
import {tempDir} from './tmp.js'

/** Writes a freshly scaffolded project (as `wsapi init --yes` would) into a temp folder and returns its path. */
export function scaffoldProject(options: RawInitOptions = {}, dir = join(tempDir(), 'chat')): string {
  const plan = planProject(resolveInitOptions({name: 'chat', ...options}))
  for (const file of plan.files) {
    mkdirSync(dirname(join(dir, file.path)), {recursive: true})
    writeFileSync(join(dir, file.path), file.contents)
  }

  return dir
}
