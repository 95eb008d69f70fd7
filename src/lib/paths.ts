import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** Run from the TypeScript sources (tsx: tests, bin/dev.js) rather than the build. */
const FROM_SOURCES = import.meta.url.endsWith('.ts')

/** The wsapi package root: this file is src/lib/paths.ts under tsx, dist/src/lib/paths.js when built. */
export const PACKAGE_ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  ...(FROM_SOURCES ? ['..', '..'] : ['..', '..', '..']),
)
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
