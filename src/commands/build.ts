import {relative, resolve} from 'node:path'

import {type BuildReport, buildProject, buildReport} from '../lib/bundle/index.js'
import {loadProject} from '../lib/project/index.js'
import {WsapiCommand} from '../ui/base-command.js'
import {Flags} from '../ui/oclif.js'
import {formatBytes, table} from '../ui/output.js'

export default class Build extends WsapiCommand {
  static override description = `Bundles each function of template.yaml with esbuild (ESM index.mjs for the function's Node.js runtime, minified, @aws-sdk/* left to Lambda, with a source map), writes deterministic zips named by their SHA-256 under .wsapi/build/artifacts, and .wsapi/build/template.json in which each Code is {S3Bucket: !Ref ArtifactBucket, S3Key: <stack>/<sha256>.zip}: the key wsapi deploy uploads to for the stack <project>-<stage>.

Type-checks the handlers first (as tsc --noEmit with the project's tsconfig.json would) and stops on a type error; --no-typecheck skips that.

Offline: it makes no AWS call. The same sources always give byte-identical zips.`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Build the project in the current folder'},
    {
      command: '<%= config.bin %> <%= command.id %> --dir chat --json',
      description: 'Build ./chat and print the artifacts as JSON',
    },
  ]

  static override flags = {
    dir: Flags.string({char: 'd', default: '.', description: 'Project folder (holding template.yaml).'}),
    stage: Flags.string({
      char: 's',
      description:
        "Stage whose stack <project>-<stage> the S3 keys are named for. [default: the template's StageName default]",
    }),
    typecheck: Flags.boolean({
      allowNo: true,
      default: true,
      description: "Type-check the handlers first (with the project's TypeScript, else wsapi's) and stop on errors.",
    }),
  }

  static override summary = 'Bundle the functions and write a deployable template (no AWS calls).'

  async run(): Promise<BuildReport> {
    const {flags} = await this.parse(Build)
    const project = loadProject(resolve(flags.dir), {stage: flags.stage})
    const result = await buildProject(project, {output: this.out, typecheck: flags.typecheck})
    const rows = result.functions.map((fn) => [
      fn.logicalId,
      fn.codePath,
      formatBytes(fn.bundleBytes),
      formatBytes(fn.zipBytes),
      fn.sha256.slice(0, 12),
    ])
    this.out.info(table(rows, {header: ['Function', 'Source', 'Bundle', 'Zip', 'SHA-256']}))
    this.out.success(
      `Built ${result.functions.length} functions → ${relative(process.cwd(), result.templatePath) || result.templatePath}`,
    )
    return buildReport(result)
  }
}
