import {createHash} from 'node:crypto'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {WsapiError} from '../errors.js'
import {type Output, silentOutput} from '../output.js'
import {type CfnTemplate, type FunctionModel, type ProjectModel, rehashDeployment} from '../project/index.js'
import {bundleHandler} from './esbuild.js'
import {typeCheckHandlers} from './typecheck.js'
import {deterministicZip} from './zip.js'

/** Where build output goes, relative to the project. */
export const BUILD_DIR = join('.wsapi', 'build')
/** The parameter of the built template that names the artifact bucket. */
export const ARTIFACT_BUCKET_PARAMETER = 'ArtifactBucket'

export interface BuiltFunction {
  /** Bytes of the minified bundle (index.mjs). */
  bundleBytes: number
  codePath: string
  logicalId: string
  /**
   * S3 key inside the artifact bucket, `<stack>/<sha256>.zip`: the key the built template names and
   * `wsapi deploy` uploads to. Every object of a stack lives under `<stack>/`, which is what `wsapi destroy` removes.
   */
  s3Key: string
  sha256: string
  /** The zip itself, in memory: deploy uploads it from here. */
  zip: Buffer
  /** Absolute path of the copy written under .wsapi/build/artifacts. */
  zipPath: string
  zipBytes: number
}

export interface BuildResult {
  buildDir: string
  functions: BuiltFunction[]
  project: string
  /** The stack the keys are named for, `<project>-<stage>`. */
  stackName: string
  /** The deployable template, in memory (deploy sends this one); also written to templatePath. */
  template: CfnTemplate
  /** Absolute path of template.json. */
  templatePath: string
}

/** What `wsapi build --json` prints: the result without the zips and the template themselves. */
export type BuildReport = Omit<BuildResult, 'functions' | 'template'> & {functions: Array<Omit<BuiltFunction, 'zip'>>}

export interface BuildOptions {
  output?: Output
  /** The stack whose prefix the keys get. @default `<project>-<stage>` of the loaded project */
  stackName?: string
  /** Type-check the handlers first and stop on errors (`--no-typecheck` turns it off). */
  typecheck?: boolean
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

async function buildFunction(
  project: ProjectModel,
  fn: FunctionModel,
  artifactsDir: string,
  stackName: string,
): Promise<BuiltFunction> {
  const bundle = await bundleHandler({entry: fn.entry, projectDir: project.dir, runtime: fn.runtime})
  const functionDir = join(project.dir, BUILD_DIR, fn.logicalId)
  mkdirSync(functionDir, {recursive: true})
  writeFileSync(join(functionDir, bundle.outputName), bundle.code)
  writeFileSync(join(functionDir, `${bundle.outputName}.map`), bundle.map)
  const zip = deterministicZip([
    {data: bundle.code, name: bundle.outputName},
    {data: bundle.map, name: `${bundle.outputName}.map`},
  ])
  const hash = sha256(zip)
  const zipPath = join(artifactsDir, `${hash}.zip`)
  writeFileSync(zipPath, zip)
  return {
    bundleBytes: bundle.code.length,
    codePath: fn.codePath,
    logicalId: fn.logicalId,
    s3Key: `${stackName}/${hash}.zip`,
    sha256: hash,
    zip,
    zipBytes: zip.length,
    zipPath,
  }
}

/** The deployable template: Code paths become S3 locations, the deployment id follows the routes. */
export function deployableTemplate(project: ProjectModel, functions: BuiltFunction[]): CfnTemplate {
  if (project.template.Parameters?.[ARTIFACT_BUCKET_PARAMETER]) {
    throw new WsapiError(
      `template.yaml declares a parameter ${ARTIFACT_BUCKET_PARAMETER}, which wsapi build adds itself; rename yours.`,
      {
        code: 'PARAMETER_CONFLICT',
        exit: 2,
      },
    )
  }

  const {template} = rehashDeployment(structuredClone(project.template))
  template.Parameters = {
    ...template.Parameters,
    [ARTIFACT_BUCKET_PARAMETER]: {
      Description: 'S3 bucket holding the function zips (set by wsapi deploy).',
      Type: 'String',
    },
  }
  for (const fn of functions) {
    const properties = template.Resources[fn.logicalId].Properties!
    properties.Code = {S3Bucket: {Ref: ARTIFACT_BUCKET_PARAMETER}, S3Key: fn.s3Key}
  }

  return template
}

/** esbuild strips types without checking them: check them here, before anything is built. */
export function typeCheckProject(project: ProjectModel, output: Output = silentOutput): void {
  const entries = [...new Set(Object.values(project.functions).map((fn) => fn.entry))].filter((entry) =>
    /\.(c|m)?tsx?$/.test(entry),
  )
  if (entries.length === 0) return
  const started = Date.now()
  const result = typeCheckHandlers(project.dir, entries)
  output.debug(
    `Type-checked ${result.files} files with ${result.typescript === 'project' ? "the project's" : "wsapi's"} TypeScript ${result.version} in ${Date.now() - started} ms`,
  )
  if (result.errors.length > 0) {
    const count = result.errors.length === 1 ? '1 type error' : `${result.errors.length} type errors`
    throw new WsapiError(
      `${count} in the handlers (fix them, or pass --no-typecheck to build anyway):\n${result.errors.join('\n')}`,
      {code: 'TYPE_ERRORS'},
    )
  }
}

/**
 * `wsapi build`: bundles every function whose Code is a local path, makes deterministic zips named by
 * their SHA-256, and the template that deploys them from `<stack>/<sha256>.zip`. Returns them in memory
 * (what deploy uses) and writes them under .wsapi/build/ for whoever looks. Offline: no AWS call.
 */
export async function buildProject(project: ProjectModel, options: BuildOptions = {}): Promise<BuildResult> {
  const output = options.output ?? silentOutput
  const stackName = options.stackName ?? `${project.name}-${project.stage.name}`
  if (options.typecheck) typeCheckProject(project, output)
  const buildDir = join(project.dir, BUILD_DIR)
  rmSync(buildDir, {force: true, recursive: true})
  const artifactsDir = join(buildDir, 'artifacts')
  mkdirSync(artifactsDir, {recursive: true})

  const functions = Object.values(project.functions)
  const settled = await Promise.allSettled(functions.map((fn) => buildFunction(project, fn, artifactsDir, stackName)))
  const failures = settled.flatMap((outcome, index) =>
    outcome.status === 'rejected' ? [{error: outcome.reason as unknown, fn: functions[index]}] : [],
  )
  if (failures.length > 0) {
    const lines = failures.map(({error, fn}) =>
      WsapiError.is(error)
        ? `${fn.logicalId} (${fn.codePath}):\n${error.message}`
        : `${fn.logicalId} (${fn.codePath}): ${String(error)}`,
    )
    throw new WsapiError(`Build failed:\n${lines.join('\n')}`, {code: 'BUILD_FAILED'})
  }

  const built = settled.map((outcome) => (outcome as PromiseFulfilledResult<BuiltFunction>).value)
  const template = deployableTemplate(project, built)
  const templatePath = join(buildDir, 'template.json')
  writeFileSync(templatePath, `${JSON.stringify(template, null, 2)}\n`)
  const result: BuildResult = {buildDir, functions: built, project: project.name, stackName, template, templatePath}
  writeFileSync(
    join(buildDir, 'manifest.json'),
    `${JSON.stringify(
      {
        artifactBucketParameter: ARTIFACT_BUCKET_PARAMETER,
        functions: buildReport(result, project.dir).functions,
        project: project.name,
        stackName,
        template: 'template.json',
      },
      null,
      2,
    )}\n`,
  )
  output.debug(`Wrote ${relative(project.dir, templatePath)}`)
  return result
}

/** The result without the zips and the template; paths relative to `relativeTo` when given. */
export function buildReport(result: BuildResult, relativeTo?: string): BuildReport {
  const {functions, template: _template, ...rest} = result
  return {
    ...rest,
    functions: functions.map(({zip: _zip, ...fn}) =>
      relativeTo === undefined ? fn : {...fn, zipPath: relative(relativeTo, fn.zipPath)},
    ),
  }
}
