import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join, relative} from 'node:path'

import {WsapiError} from '../errors.js'
import {PACKAGE_ROOT} from '../paths.js'

type TypeScript = typeof import('typescript')

export interface TypeCheckResult {
  /** `file:line:column: error: … (TS2322)`, relative to the project, as esbuild reports syntax errors. */
  errors: string[]
  /** Files checked (the handlers and what they import). */
  files: number
  /** Where the compiler came from: the project's own TypeScript, or wsapi's. */
  typescript: 'project' | 'wsapi'
  version: string
}

/** The project's own TypeScript when it has one (its version, its rules), else wsapi's; loaded only here. */
function loadTypeScript(projectDir: string): {source: TypeCheckResult['typescript']; ts: TypeScript} {
  for (const [source, from] of [
    ['project', projectDir],
    ['wsapi', PACKAGE_ROOT],
  ] as const) {
    try {
      return {source, ts: createRequire(join(from, 'package.json'))('typescript') as TypeScript}
    } catch {
      // not installed there
    }
  }

  throw new WsapiError(
    'Cannot type-check: TypeScript is not installed. Run `npm install` in the project, or pass --no-typecheck.',
    {code: 'NO_TYPESCRIPT'},
  )
}

/**
 * Type-checks the handlers (and what they import) as `tsc --noEmit` would with the project's tsconfig.json,
 * so that `wsapi build` and `wsapi deploy` never ship code that does not type-check. A fresh project needs no
 * `npm install` (as for bundling): `@aws-sdk/*` and Node's types resolve from the project's node_modules
 * when it has them, else from wsapi's. Test files are not roots, so mocha's types are not needed.
 */
export function typeCheckHandlers(projectDir: string, entries: string[]): TypeCheckResult {
  const {source, ts} = loadTypeScript(projectDir)
  const configPath = join(projectDir, 'tsconfig.json')
  let options: import('typescript').CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    strict: true,
    target: ts.ScriptTarget.ES2022,
  }
  const configErrors: import('typescript').Diagnostic[] = []
  if (existsSync(configPath)) {
    const read = ts.readConfigFile(configPath, ts.sys.readFile)
    if (read.error) configErrors.push(read.error)
    else {
      const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, projectDir, undefined, configPath)
      configErrors.push(...parsed.errors.filter((error) => error.code !== 18_003)) // "No inputs were found": roots are ours
      options = parsed.options
    }
  }

  const typeRoots = [join(projectDir, 'node_modules', '@types'), join(PACKAGE_ROOT, 'node_modules', '@types')].filter(
    (dir) => existsSync(dir),
  )
  options = {...options, noEmit: true, typeRoots, types: ['node']}
  const host = ts.createCompilerHost(options)
  // Resolve from the project first, then from wsapi (whose node_modules has the AWS SDK and @types/node).
  const fallbackFrom = join(PACKAGE_ROOT, 'package.json')
  host.resolveModuleNameLiterals = (
    literals,
    containingFile,
    redirectedReference,
    compilerOptions,
    containingSourceFile,
  ) =>
    literals.map((literal) => {
      const mode = ts.getModeForUsageLocation(containingSourceFile, literal, compilerOptions)
      const own = ts.resolveModuleName(
        literal.text,
        containingFile,
        compilerOptions,
        host,
        undefined,
        redirectedReference,
        mode,
      )
      if (own.resolvedModule || literal.text.startsWith('.')) return own
      return ts.resolveModuleName(
        literal.text,
        fallbackFrom,
        compilerOptions,
        host,
        undefined,
        redirectedReference,
        mode,
      )
    })

  const program = ts.createProgram({host, options, rootNames: entries})
  const diagnostics = [...configErrors, ...ts.getPreEmitDiagnostics(program)].filter(
    (diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error,
  )
  const errors = diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')
    if (!diagnostic.file || diagnostic.start === undefined) return `error: ${message} (TS${diagnostic.code})`
    const {character, line} = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    const file = relative(projectDir, diagnostic.file.fileName) || diagnostic.file.fileName
    return `${file}:${line + 1}:${character + 1}: error: ${message} (TS${diagnostic.code})`
  })
  const files = program
    .getSourceFiles()
    .filter((file) => !file.fileName.includes('/node_modules/') && !file.isDeclarationFile).length
  return {errors, files, typescript: source, version: ts.version}
}
