import {rmSync} from 'node:fs'

import {type AwsOptions, type AwsSession, createAwsSession, type StackResourceInfo} from '../aws/index.js'
import {UsageError} from '../errors.js'
import {type Output, silentOutput} from '../output.js'
import {outputsStatePath} from '../project/index.js'
import {terminalLine} from '../terminal-text.js'
import {purgeStackArtifacts} from './artifacts.js'
import {BOOTSTRAP_STACK} from './bootstrap.js'
import {deleteStackAndWait, type StackContext, waitForBusyStack} from './deploy-stack.js'
import {type ActivityListener, silentActivity} from './stack-activity-monitor.js'
import {isBusy} from './stack-status.js'
import {checkStackOwnership, otherDeployedRegion, resolveStackTarget} from './target.js'

export interface DestroyPlan {
  account: string
  region: string
  /** Resources the deletion removes. */
  resources: number
  stackName: string
  status: string
  /** DynamoDB tables (physical names) whose data goes with the stack. */
  tables: string[]
}

export interface DestroyProjectOptions {
  /** Delete a stack of this name even without this project's wsapi tags (`--adopt`). */
  adopt?: boolean
  aws: AwsOptions
  /** Asked before deleting; false cancels. Without it, wsapi deletes without asking (`--yes`). */
  confirm?: (plan: DestroyPlan) => Promise<boolean>
  dir: string
  listener?: ActivityListener
  output?: Output
  /** @default 2000 */
  pollIntervalMs?: number
  /** Logical ids to keep when deleting a stack in DELETE_FAILED (`--retain`). */
  retain?: string[]
  /** Also remove the stack's objects from this bucket (the one given to deploy with --s3-bucket). */
  s3Bucket?: string
  stage?: string
  /** Wait for an operation already running on the stack. @default true */
  wait?: boolean
}

export interface BlockingResource {
  /** What to do about it. */
  fix: string
  logicalId: string
  physicalId?: string
  reason: string
  resourceType: string
}

interface Common {
  /** Objects of the stack removed from the artifact bucket(s). */
  artifactsRemoved: number
  durationMs: number
  region: string
  stackName: string
}

export type DestroyProjectResult =
  | (Common & {
      /** Where this project last deployed the stage, when that is another region. */ deployedIn?: string
      type: 'nothing'
    })
  | (Common & {retained: string[]; stackId: string; type: 'destroyed'})
  | (Common & {type: 'declined'})
  | (Common & {resources: BlockingResource[]; stackId: string; status: string; type: 'failed'})

/** How to get past one resource that CloudFormation could not delete. */
export function fixFor(resource: StackResourceInfo): string {
  const reason = resource.reason ?? ''
  if (resource.resourceType === 'AWS::S3::Bucket' && /not empty/i.test(reason)) {
    return `empty the bucket (\`aws s3 rm s3://${resource.physicalId ?? resource.logicalId} --recursive\`, and its old versions if versioned), then run wsapi destroy again`
  }

  if (/not authori[sz]ed|AccessDenied|access denied/i.test(reason))
    return 'your credentials may not delete it: get that permission (or use another --profile), then run wsapi destroy again'
  if (/DependencyViolation|in use|has dependen|dependent object|still (referenced|attached)/i.test(reason))
    return 'something outside the stack still uses it: remove that first, then run wsapi destroy again'
  return `delete it by hand and run wsapi destroy again, or keep it: wsapi destroy --retain ${resource.logicalId}`
}

/** Removes the stack's objects from the managed bucket (if there is one) and from --s3-bucket. */
async function removeArtifacts(
  session: AwsSession,
  stackName: string,
  s3Bucket: string | undefined,
  output: Output,
): Promise<number> {
  const buckets = new Set<string>()
  const bootstrap = await session.cloudFormation.describeStack(BOOTSTRAP_STACK)
  const managed = bootstrap?.outputs.find((item) => item.key === 'BucketName')?.value
  if (managed) buckets.add(managed)
  if (s3Bucket) buckets.add(s3Bucket)
  let removed = 0
  for (const bucket of buckets) {
    try {
      // eslint-disable-next-line no-await-in-loop
      removed += await purgeStackArtifacts(session.s3, bucket, stackName)
    } catch (error) {
      output.warn(
        `Could not remove ${stackName}'s artifacts from s3://${bucket} (${terminalLine((error as Error).message)}); run wsapi destroy again to retry.`,
      )
    }
  }

  return removed
}

/**
 * `wsapi destroy`: deletes the stack `<project>-<stage>` (a REVIEW_IN_PROGRESS one too) and streams its
 * events until DELETE_COMPLETE, then removes the stack's artifacts and its saved outputs. A missing stack
 * is nothing to do. DELETE_FAILED comes back as a result naming each blocking resource and its fix.
 */
export async function destroyProject(options: DestroyProjectOptions): Promise<DestroyProjectResult> {
  const started = Date.now()
  const output = options.output ?? silentOutput
  const target = resolveStackTarget(options.dir, options.stage)
  const {project, stackName, stage} = target
  const session = await createAwsSession(options.aws)
  try {
    const {cloudFormation} = session
    const identity = await session.identity()
    const context: StackContext = {
      cloudFormation,
      listener: options.listener ?? silentActivity,
      output,
      pollIntervalMs: options.pollIntervalMs,
      wait: options.wait,
    }
    const finish = async (): Promise<Common> => {
      const artifactsRemoved = await removeArtifacts(session, stackName, options.s3Bucket, output)
      rmSync(outputsStatePath(project.dir, stage), {force: true})
      return {artifactsRemoved, durationMs: Date.now() - started, region: session.region, stackName}
    }

    let stack = await cloudFormation.describeStack(stackName)
    if (stack) checkStackOwnership(stack, target, 'destroy', options.adopt)
    if (stack && isBusy(stack.status)) stack = await waitForBusyStack(context, stack)
    if (!stack) {
      // Not here, but deployed elsewhere: keep the saved outputs that say where.
      const deployedIn = otherDeployedRegion(target, session.region)
      if (deployedIn)
        return {
          artifactsRemoved: 0,
          deployedIn,
          durationMs: Date.now() - started,
          region: session.region,
          stackName,
          type: 'nothing',
        }
      return {...(await finish()), type: 'nothing'}
    }

    const resources =
      stack.status === 'REVIEW_IN_PROGRESS' ? [] : await cloudFormation.listStackResources(stack.stackId)
    let retain = options.retain ?? []
    if (retain.length > 0 && stack.status !== 'DELETE_FAILED') {
      output.warn(
        `--retain applies only to a stack in DELETE_FAILED; ${stackName} is ${stack.status}, so every resource is deleted.`,
      )
      retain = []
    }

    const unknown = retain.filter((logicalId) => !resources.some((resource) => resource.logicalId === logicalId))
    if (unknown.length > 0) {
      throw new UsageError(
        `--retain ${unknown.join(', ')}: no such resource in ${stackName}; it has ${resources.map((resource) => resource.logicalId).join(', ')}.`,
        {code: 'UNKNOWN_RESOURCE'},
      )
    }

    const remaining = resources.filter(
      (resource) => resource.status !== 'DELETE_COMPLETE' && !retain.includes(resource.logicalId),
    )
    const plan: DestroyPlan = {
      account: identity.account,
      region: session.region,
      resources: remaining.length,
      stackName,
      status: stack.status,
      tables: remaining
        .filter((resource) => resource.resourceType === 'AWS::DynamoDB::Table')
        .map((resource) => resource.physicalId ?? resource.logicalId),
    }
    if (options.confirm && !(await options.confirm(plan)))
      return {
        artifactsRemoved: 0,
        durationMs: Date.now() - started,
        region: session.region,
        stackName,
        type: 'declined',
      }

    const deleted = await deleteStackAndWait(context, stack, retain)
    if (!deleted.stack || deleted.stack.status === 'DELETE_COMPLETE')
      return {...(await finish()), retained: retain, stackId: stack.stackId, type: 'destroyed'}

    const reasons = new Map(deleted.monitor.failures.map((event) => [event.logicalId, event.reason ?? '']))
    const blocking = (await cloudFormation.listStackResources(stack.stackId))
      .filter((resource) => resource.status === 'DELETE_FAILED')
      .map((resource) => ({
        fix: fixFor({...resource, reason: resource.reason ?? reasons.get(resource.logicalId)}),
        logicalId: resource.logicalId,
        physicalId: resource.physicalId,
        reason: resource.reason ?? reasons.get(resource.logicalId) ?? '',
        resourceType: resource.resourceType,
      }))
    return {
      artifactsRemoved: 0,
      durationMs: Date.now() - started,
      region: session.region,
      resources: blocking,
      stackId: stack.stackId,
      stackName,
      status: deleted.stack.status,
      type: 'failed',
    }
  } finally {
    session.destroy()
  }
}
