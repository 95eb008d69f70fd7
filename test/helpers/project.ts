import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {loadProject} from '../../src/lib/project/index.js'
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

/** Rewrites the project's template.yaml through `edit`. */
export function editTemplate(dir: string, edit: (text: string) => string): void {
  const path = join(dir, 'template.yaml')
  writeFileSync(path, edit(readFileSync(path, 'utf8')))
}

/** Asserts that loading the project fails as a usage error (exit 2) whose message matches every pattern. */
export function rejectsNaming(dir: string, ...patterns: RegExp[]): void {
  assert.throws(
    () => loadProject(dir),
    (error: Error & {exit?: number}) => {
      for (const pattern of patterns) assert.match(error.message, pattern)
      assert.equal(error.exit, 2)
      return true
    },
  )
}
