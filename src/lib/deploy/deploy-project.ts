import {relative} from 'node:path'

import {type AwsOptions, type AwsSession, createAwsSession, type ResourceChangeInfo} from '../aws/index.js'
import {ARTIFACT_BUCKET_PARAMETER, buildProject, typeCheckProject} from '../bundle/index.js'
import {UsageError} from '../errors.js'
import {type Output, silentOutput} from '../output.js'
import {outputsStatePath, writeOutputsState} from '../project/index.js'
import {parametersFor} from '../secret-input.js'
import {executeCommand, secretCommands} from './aws-cli.js'
import {requiredCapabilities} from './capabilities.js'
import {type ChangeSetPlan, deployStack, type StackContext} from './deploy-stack.js'
import {
  checkGivenParameters,
  missingParameterError,
  missingParameters,
  type ParameterPrompt,
  resolveParameters,
  templateParameters,
} from './parameters.js'
import {localIssuerProblem} from './local-issuer.js'
import {Secrets} from './redact.js'
import {type ActivityListener, silentActivity} from './stack-activity-monitor.js'
import {type FailureReason, isBusy, isFailedFirstCreate, toFailureReasons} from './stack-status.js'
import {
  checkStackOwnership,
  orderOutputs,
  otherDeployedRegion,
  ownershipTags,
  resolveStackTarget,
  STAGE_PARAMETER,
} from './target.js'
import {type ArtifactsSummary, hideSuperseded, reuploadMissing, uploadBuild} from './upload.js'

export interface DeployProjectOptions {
  /** Take over a stack of this name that lacks this project's wsapi tags (`--adopt`); the deploy adds them. */
  adopt?: boolean
  aws: AwsOptions
  /** Asked before executing the change set (interactive runs only). */
  confirm?: (plan: ChangeSetPlan) => Promise<boolean>
  dir: string
  /** false: stop once the change set is ready (`--no-execute`). @default true */
  execute?: boolean
  /** Type-check the handlers before any AWS call, and stop on errors (`--no-typecheck` turns it off). */
  typecheck?: boolean
  listener?: ActivityListener
  /** Told about the change set once it is ready (the summary table). */
  onChangeSet?: (plan: ChangeSetPlan) => void
  output?: Output
  /** Values from WSAPI_PARAMETER_<Name>: used for the parameters the template declares, ignored for others. */
  environmentParameters?: Record<string, string>
  /** `--parameter Key=Value` (and `--parameter-stdin`) values. */
  parameters?: Record<string, string>
  /** @default 2000 */
  pollIntervalMs?: number
  /** Asks for parameters that have no value (interactive runs only); secrets with a hidden prompt. */
  prompt?: ParameterPrompt
  /** Your own artifact bucket (`--s3-bucket`) instead of the managed one. */
  s3Bucket?: string
  /** Shared with the caller, which redacts its own messages with it too. */
  secrets?: Secrets
  stage?: string
  /** Wait for an operation already running on the stack. @default true */
  wait?: boolean
}

interface Common {
  account: string
  artifacts: ArtifactsSummary
  durationMs: number
  region: string
  stackName: string
  stage: string
}

export type DeployProjectResult =
  | (Common & {
      changes: ResourceChangeInfo[]
      noOp: boolean
      operation: 'CREATE' | 'NONE' | 'UPDATE'
      outputs: Record<string, string>
      outputsFile: string
      /** For each output naming a Secrets Manager secret of the template (AuthTokenSecretArn), the AWS CLI command that prints its value. */
      secretCommands: Array<{command: string; output: string}>
      stackId: string
      status: string
      type: 'deployed'
    })
  | (Common & {
      changeSetId: string
      changeSetName: string
      changes: ResourceChangeInfo[]
      executeCommand: string
      operation: 'CREATE' | 'UPDATE'
      type: 'review'
    })
  | (Common & {changes: ResourceChangeInfo[]; operation: 'CREATE' | 'UPDATE'; type: 'declined'})
  | (Common & {
      changes: ResourceChangeInfo[]
      operation: 'CREATE' | 'UPDATE'
      rootCause: FailureReason[]
      stackId: string
      status: string
      type: 'failed'
    })

/**
 * `wsapi deploy`: build, make sure the artifact bucket exists, upload what is missing, deploy the stack
 * `<project>-<stage>` with a change set, save its outputs to .wsapi/outputs/<stage>.json, and hide the
 * artifacts it no longer uses. Never prints: progress goes to `output` and `listener`. Secrets given or
 * asked for are redacted from everything it reports, errors included.
 */
export async function deployProject(options: DeployProjectOptions): Promise<DeployProjectResult> {
  const started = Date.now()
  const secrets = options.secrets ?? new Secrets()
  const output = secrets.output(options.output ?? silentOutput)
  const listener = secrets.listener(options.listener ?? silentActivity)

  // Everything that can be checked offline is checked before the first AWS call.
  const target = resolveStackTarget(options.dir, options.stage)
  const {project, stackName, stage} = target
  const declared = templateParameters(project.template)
  const given = parametersFor(
    declared.map((parameter) => parameter.key),
    {fromEnvironment: options.environmentParameters ?? {}, given: options.parameters ?? {}},
  )
  checkGivenParameters(declared, given)
  if (options.typecheck) typeCheckProject(project, output)
  secrets.add(
    ...declared
      .filter((parameter) => parameter.noEcho && given[parameter.key] !== undefined)
      .map((parameter) => given[parameter.key]),
  )

  let session: AwsSession | undefined
  try {
    session = await createAwsSession(options.aws)
    const {cloudFormation} = session
    const identity = await session.identity()
    output.info(
      `Deploying ${stackName} to account ${identity.account} in ${session.region}${session.endpointUrl ? ` at ${session.endpointUrl}` : ''}`,
    )
    const context: StackContext = {
      cloudFormation,
      listener,
      output,
      pollIntervalMs: options.pollIntervalMs,
      wait: options.wait,
    }

    // Ask for missing values now, not after the build and upload; an update keeps the stack's values.
    const stageValue: Record<string, string> = declared.some((parameter) => parameter.key === STAGE_PARAMETER)
      ? {[STAGE_PARAMETER]: stage}
      : {}
    const current = await cloudFormation.describeStack(stackName)
    if (current) {
      checkStackOwnership(current, target, 'deploy', options.adopt)
      if (
        options.adopt &&
        !Object.entries(ownershipTags(target)).every(([key, value]) => current.tags[key] === value)
      ) {
        output.warn(`Adopting ${stackName}: this deploy tags it as project ${project.name}, stage ${stage}.`)
      }
    }

    const deployedIn = current ? undefined : otherDeployedRegion(target, session.region)
    if (deployedIn)
      output.warn(
        `${stackName} was deployed to ${deployedIn} from here; this creates a second copy in ${session.region}. Stop and pass --region ${deployedIn} if that is not what you want.`,
      )
    const keepsValues =
      current !== undefined &&
      (isBusy(current.status) || !isFailedFirstCreate(current.status)) &&
      current.status !== 'REVIEW_IN_PROGRESS'
    const issuerProblem = localIssuerProblem(project.template, given, keepsValues)
    if (issuerProblem) throw new UsageError(issuerProblem, {code: 'LOCAL_JWT_ISSUER'})
    const prompt: ParameterPrompt | undefined = options.prompt
      ? async (parameter) => {
          const value = await options.prompt!(parameter)
          if (parameter.noEcho) secrets.add(value)
          return value
        }
      : undefined
    for (const parameter of missingParameters({
      declared,
      existing: keepsValues ? current : undefined,
      given,
      managed: stageValue,
    })) {
      if (!prompt) throw missingParameterError(parameter)
      // eslint-disable-next-line no-await-in-loop
      given[parameter.key] = await prompt(parameter)
    }

    output.info('Building…')
    const build = await buildProject(project, {output, stackName})
    const uploaded = await uploadBuild(session, context, build, {output, s3Bucket: options.s3Bucket, stackName})
    const {template} = build

    const result = await deployStack(context, {
      // After waiting for another deploy of this stack, which may have hidden artifacts this one reuses.
      afterWait: () => reuploadMissing(session!, uploaded, output),
      capabilities: requiredCapabilities(template),
      confirm: options.confirm,
      execute: options.execute,
      onChangeSet: options.onChangeSet,
      async parameters(existing) {
        // The built template's parameters: the project's plus ArtifactBucket.
        const resolved = await resolveParameters({
          declared: templateParameters(template),
          existing,
          given,
          managed: {...stageValue, [ARTIFACT_BUCKET_PARAMETER]: uploaded.bucket},
          prompt,
        })
        secrets.add(...resolved.secrets)
        return resolved.parameters
      },
      stackName,
      tags: ownershipTags(target),
      template: uploaded.template,
    })

    const common = {account: identity.account, artifacts: uploaded.summary, region: session.region, stackName, stage}
    switch (result.type) {
      case 'deployed': {
        const outputs = orderOutputs(result.stack.outputs, Object.keys(project.template.Outputs ?? {}))
        writeOutputsState(project.dir, {
          deployedAt: new Date().toISOString(),
          outputs,
          region: session.region,
          stackName,
          stage,
        })
        await hideSuperseded(session, uploaded, stackName, new Date(started), output)
        return {
          ...common,
          changes: result.changes,
          durationMs: Date.now() - started,
          noOp: result.noOp,
          operation: result.operation,
          outputs,
          outputsFile:
            relative(process.cwd(), outputsStatePath(project.dir, stage)) || outputsStatePath(project.dir, stage),
          secretCommands: secretCommands(session, project.template, outputs),
          stackId: result.stack.stackId,
          status: result.stack.status,
          type: 'deployed',
        }
      }

      case 'review': {
        const {plan} = result
        return {
          ...common,
          changes: plan.changes,
          changeSetId: plan.changeSetId,
          changeSetName: plan.changeSetName,
          durationMs: Date.now() - started,
          executeCommand: executeCommand(session, plan.changeSetId),
          operation: plan.operation,
          type: 'review',
        }
      }

      case 'declined': {
        return {
          ...common,
          changes: result.plan.changes,
          durationMs: Date.now() - started,
          operation: result.plan.operation,
          type: 'declined',
        }
      }

      default: {
        const rootCause = toFailureReasons(result.rootCause).map((reason) => ({
          ...reason,
          reason: secrets.redact(reason.reason),
        }))
        return {
          ...common,
          changes: result.changes,
          durationMs: Date.now() - started,
          operation: result.operation,
          rootCause,
          stackId: result.stack.stackId,
          status: result.stack.status,
          type: 'failed',
        }
      }
    }
  } catch (error) {
    throw secrets.error(error)
  } finally {
    session?.destroy()
  }
}
