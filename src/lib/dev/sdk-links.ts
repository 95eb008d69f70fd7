import {mkdirSync, readdirSync, rmSync, symlinkSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

/**
 * Bundles keep `@aws-sdk/*` external, as Lambda provides it. A fresh project has no node_modules, so
 * `<modulesDir>/@aws-sdk/<name>` links each SDK package that the project cannot resolve itself to
 * wsapi's own copy. Bundles written below `<modulesDir>/..` find the links first, and there are links
 * only for what the project lacks, so a project's own SDK (node_modules, hoisted or not) wins.
 * Returns the names linked.
 */
export function linkAwsSdk(modulesDir: string, projectDir: string): string[] {
  const scope = join(modulesDir, '@aws-sdk')
  rmSync(scope, {force: true, recursive: true})
  let ours: string
  try {
    ours = dirname(dirname(createRequire(import.meta.url).resolve('@aws-sdk/client-dynamodb/package.json')))
  } catch {
    return []
  }

  const fromProject = createRequire(join(projectDir, 'package.json'))
  const projectHas = (name: string) => {
    try {
      return dirname(fromProject.resolve(`@aws-sdk/${name}/package.json`)) !== join(ours, name)
    } catch {
      return false
    }
  }

  const linked: string[] = []
  for (const name of readdirSync(ours)) {
    if (projectHas(name)) continue
    mkdirSync(scope, {recursive: true})
    symlinkSync(join(ours, name), join(scope, name), 'junction')
    linked.push(name)
  }

  return linked
}
