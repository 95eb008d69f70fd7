import {relative} from 'node:path'

import {WsapiError} from '../errors.js'

export interface BundleOptions {
  /** Absolute path of the handler's entry file. */
  entry: string
  /** Module specifiers left to the Lambda runtime; `@aws-sdk/*` by default. */
  external?: string[]
  /** Bundled file name; the handler `index.handler` needs `index.mjs`. */
  outputName?: string
  /** Project folder: paths in errors and source maps are relative to it. */
  projectDir: string
  /** e.g. nodejs22.x → esbuild target node22. */
  runtime: string
  /** Keep identifiers unminified, so that stack traces name the handler's own functions (wsapi dev). */
  keepNames?: boolean
  /** Rewrites import paths at bundle time (wsapi dev points `@aws-sdk/*` at its own copy). */
  alias?: Record<string, string>
}

export interface BundleOutput {
  code: Buffer
  /** Project-relative source files the bundle was built from (for watching). */
  inputs: string[]
  map: Buffer
  outputName: string
}

export const AWS_SDK_EXTERNALS = ['@aws-sdk/*']

/** Node's ESM has no `require`; bundled CommonJS dependencies that call it need one. */
const REQUIRE_BANNER =
  "import {createRequire as __wsapiCreateRequire} from 'node:module';const require=__wsapiCreateRequire(import.meta.url);"

export function esbuildTarget(runtime: string): string {
  const match = /^nodejs(\d+)\.x$/.exec(runtime)
  if (!match)
    throw new WsapiError(`Unsupported runtime ${runtime}: use a nodejsNN.x runtime such as nodejs22.x.`, {
      code: 'UNSUPPORTED_RUNTIME',
      exit: 2,
    })
  return `node${match[1]}`
}

interface EsbuildMessage {
  location?: {column: number; file: string; line: number; lineText: string} | null
  text: string
}

/** `src/handlers/x.ts:12:4: error: Expected ";" but found "}"` — one line per esbuild error. */
export function formatBuildErrors(errors: EsbuildMessage[]): string {
  return errors
    .map((error) =>
      error.location
        ? `${error.location.file}:${error.location.line}:${error.location.column + 1}: error: ${error.text}`
        : `error: ${error.text}`,
    )
    .join('\n')
}

/** Bundles one Lambda handler the way the Lambda Node.js runtime loads it: ESM `index.mjs`, minified, with a source map. */
export async function bundleHandler(options: BundleOptions): Promise<BundleOutput> {
  const esbuild = await import('esbuild')
  const outputName = options.outputName ?? 'index.mjs'
  let result: Awaited<ReturnType<typeof esbuild.build>> & {outputFiles: Array<{path: string; contents: Uint8Array}>}
  try {
    result = await esbuild.build({
      absWorkingDir: options.projectDir,
      alias: options.alias,
      banner: {js: REQUIRE_BANNER},
      bundle: true,
      entryPoints: [options.entry],
      external: options.external ?? AWS_SDK_EXTERNALS,
      format: 'esm',
      legalComments: 'none',
      logLevel: 'silent',
      metafile: true,
      minifyIdentifiers: !options.keepNames,
      minifySyntax: true,
      minifyWhitespace: true,
      outfile: outputName,
      platform: 'node',
      sourcemap: 'linked',
      sourcesContent: false,
      target: esbuildTarget(options.runtime),
      write: false,
    })
  } catch (error) {
    const errors = (error as {errors?: EsbuildMessage[]}).errors
    if (!errors?.length) throw error
    throw new WsapiError(formatBuildErrors(errors), {cause: error, code: 'BUILD_FAILED'})
  }

  const code = result.outputFiles.find((file) => file.path.endsWith(outputName))
  const map = result.outputFiles.find((file) => file.path.endsWith(`${outputName}.map`))
  if (!code || !map)
    throw new Error(`esbuild produced no ${outputName} for ${relative(options.projectDir, options.entry)}`)
  return {
    code: Buffer.from(code.contents),
    inputs: Object.keys(result.metafile?.inputs ?? {}),
    map: Buffer.from(map.contents),
    outputName,
  }
}
