import {UsageError} from '../errors.js'
import {loadProject, type ProjectModel, readOutputsState, validateStackStage} from '../project/index.js'

export const STAGE_PARAMETER = 'StageName'

export interface StackTarget {
  project: ProjectModel
  /** `<project>-<stage>`. */
  stackName: string
  stage: string
}

/**
 * Which stack a command works on: `<project>-<stage>`, the stage from `--stage` or the template's
 * StageName default. Another stage is the same project deployed as another stack.
 */
export function resolveStackTarget(dir: string, stage?: string): StackTarget {
  const project = loadProject(dir)
  const declared = project.template.Parameters?.[STAGE_PARAMETER]
  let name: string
  if (declared) {
    const fallback = declared.Default === undefined ? undefined : String(declared.Default)
    if (stage === undefined && fallback === undefined) throw new UsageError(`template.yaml gives ${STAGE_PARAMETER} no default: pass --stage, e.g. --stage v1.`, {code: 'MISSING_STAGE'})
    name = stage ?? fallback!
  } else {
    if (stage !== undefined && stage !== project.stage.name) {
      throw new UsageError(`template.yaml fixes the stage to ${project.stage.name} (it has no ${STAGE_PARAMETER} parameter): add one to deploy other stages, or leave --stage out.`, {
        code: 'FIXED_STAGE',
      })
    }

    name = project.stage.name
  }

  validateStackStage(project.name, name)
  const stackName = `${project.name}-${name}`
  return {project, stackName, stage: name}
}

/** Outputs with WebSocketUrl first, then in the template's order, then any others. */
export function orderOutputs(outputs: Array<{key: string; value: string}>, templateOrder: string[] = []): Record<string, string> {
  const rank = (key: string) => (key === 'WebSocketUrl' ? -1 : templateOrder.includes(key) ? templateOrder.indexOf(key) : templateOrder.length)
  const sorted = [...outputs].sort((a, b) => rank(a.key) - rank(b.key) || (rank(a.key) === templateOrder.length ? a.key.localeCompare(b.key) : 0))
  return Object.fromEntries(sorted.map((output) => [output.key, output.value]))
}

/** The region of the stage's last deploy from this project, if it differs from `region` (a likely wrong --region). */
export function otherDeployedRegion(target: StackTarget, region: string): string | undefined {
  const saved = readOutputsState(target.project.dir, target.stage)
  return saved && saved.stackName === target.stackName && saved.region !== region ? saved.region : undefined
}
