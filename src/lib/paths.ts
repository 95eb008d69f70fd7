import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The wsapi package root: this file is dist/lib/paths.js when built and src/lib/paths.ts under tsx, two levels down either way. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates')
export const RUNTIME_DIR = join(PACKAGE_ROOT, 'runtime')

export interface PackageJson {
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  name: string
  version: string
}

let packageJson: PackageJson | undefined

/** wsapi's own package.json (version, dependency ranges the generated project reuses). */
export function wsapiPackage(): PackageJson {
  packageJson ??= JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson
  return packageJson
}
