import type {StackInfo} from '../aws/index.js'
import {ExitCode, WsapiError} from '../errors.js'
import {loadProject, type ProjectModel, readOutputsState, validateStackStage} from '../project/index.js'

export {STAGE_PARAMETER} from '../project/index.js'

/** The tags wsapi puts on every stack it deploys, and checks before it updates or deletes one. */
export const PROJECT_TAG = 'wsapi:project'
export const STAGE_TAG = 'wsapi:stage'

export interface StackTarget {
  project: ProjectModel
  /** `<project>-<stage>`. */
  stackName: string
  stage: string
}

/**
 * Which stack a command works on: `<project>-<stage>`, the stage from `--stage` or the template's
 * (resolveStage). Another stage is the same project deployed as another stack. The project is loaded
 * for that stage, so that it reports it.
 */
export function resolveStackTarget(dir: string, requested?: string): StackTarget {
  return stackTargetOf(loadProject(dir, {stage: requested}))
}

/** The stack of a project already loaded for its stage (loadProject with `stage`). */
export function stackTargetOf(project: ProjectModel): StackTarget {
  const stage = project.stage.name
  // resolveStage checks the stage against the project name only when that name is a valid stack name.
  validateStackStage(project.name, stage)
  return {project, stackName: `${project.name}-${stage}`, stage}
}

/** Outputs with WebSocketUrl first, then in the template's order, then any others. */
export function orderOutputs(
  outputs: Array<{key: string; value: string}>,
  templateOrder: string[] = [],
): Record<string, string> {
  const rank = (key: string) =>
    key === 'WebSocketUrl' ? -1 : templateOrder.includes(key) ? templateOrder.indexOf(key) : templateOrder.length
  const sorted = [...outputs].sort(
    (a, b) => rank(a.key) - rank(b.key) || (rank(a.key) === templateOrder.length ? a.key.localeCompare(b.key) : 0),
  )
  return Object.fromEntries(sorted.map((output) => [output.key, output.value]))
}

/** The region of the stage's last deploy from this project, if it differs from `region` (a likely wrong --region). */
export function otherDeployedRegion(target: StackTarget, region: string): string | undefined {
  const saved = readOutputsState(target.project.dir, target.stage)
  return saved && saved.stackName === target.stackName && saved.region !== region ? saved.region : undefined
}

/** The tags that mark a stack as this project's stage. */
export function ownershipTags(target: StackTarget): Record<string, string> {
  return {[PROJECT_TAG]: target.project.name, [STAGE_TAG]: target.stage}
}

/**
 * Refuses a stack of the target's name that wsapi did not deploy for this project and stage (its
 * `wsapi:project` / `wsapi:stage` tags differ or are missing), so that a stack someone else owns is never
 * updated or deleted. A REVIEW_IN_PROGRESS stack holds no resources (AWS tags it only when a change set
 * runs), so it passes. `adopt` (`--adopt`) takes the stack over: deploy then adds the tags.
 */
export function checkStackOwnership(
  stack: StackInfo,
  target: StackTarget,
  command: 'deploy' | 'destroy',
  adopt = false,
): void {
  if (adopt || stack.status === 'REVIEW_IN_PROGRESS' || stack.status === 'DELETE_COMPLETE') return
  const expected = ownershipTags(target)
  if (Object.entries(expected).every(([key, value]) => stack.tags[key] === value)) return
  const project = stack.tags[PROJECT_TAG]
  const stage = stack.tags[STAGE_TAG]
  const found =
    project === undefined && stage === undefined
      ? `it has no ${PROJECT_TAG} / ${STAGE_TAG} tags`
      : `it is tagged ${PROJECT_TAG}=${JSON.stringify(project ?? '')} ${STAGE_TAG}=${JSON.stringify(stage ?? '')}`
  const what = `Stack ${target.stackName} was not deployed by wsapi for project ${target.project.name}, stage ${target.stage} (${found})`
  const next =
    command === 'deploy'
      ? `nothing was changed. Deploy to another stage (--stage), or pass --adopt if it is this project's stack and template.yaml may replace what it holds.`
      : `nothing was deleted. Pass another --stage, or --adopt if it is this project's stack and may be deleted with everything in it.`
  throw new WsapiError(`${what}: ${next}`, {code: 'FOREIGN_STACK'})
}

/**
 * The error for a stack that is not deployed in this region (or only as an empty REVIEW_IN_PROGRESS): when
 * this project deployed it to another region, that region is the fix; else `otherwise` says what to do.
 */
export function notDeployedError(target: StackTarget, region: string, otherwise: string): WsapiError {
  const elsewhere = otherDeployedRegion(target, region)
  return new WsapiError(
    elsewhere
      ? `${target.stackName} is not deployed in ${region}, but this project deployed it to ${elsewhere}: pass --region ${elsewhere}.`
      : otherwise,
    {code: 'NOT_DEPLOYED', exit: ExitCode.failure},
  )
}
