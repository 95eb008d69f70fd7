import {relative} from 'node:path'

import {
  type AwsOptions,
  type AwsSession,
  createAwsSession,
  type ResourceChangeInfo,
  type StackEventInfo,
  wrongBucketRegionMessage,
} from '../aws/index.js'
import {ARTIFACT_BUCKET_PARAMETER, type BuildResult, buildProject, typeCheckProject} from '../bundle/index.js'
import {UsageError, WsapiError} from '../errors.js'
import {type Output, silentOutput} from '../output.js'
import {type CfnTemplate, outputsStatePath, writeOutputsState} from '../project/index.js'
import {terminalLine} from '../terminal-text.js'
import {parametersFor} from '../secret-input.js'
import {
  type Artifact,
  removeSuperseded,
  sha256,
  stackPrefix,
  TEMPLATE_BODY_LIMIT,
  TEMPLATE_URL_LIMIT,
  uploadMissing,
} from './artifacts.js'
import {ensureArtifactBucket} from './bootstrap.js'
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
import {isBusy, isFailedFirstCreate} from './stack-status.js'
import {
  checkStackOwnership,
  orderOutputs,
  otherDeployedRegion,
  ownershipTags,
  resolveStackTarget,
  STAGE_PARAMETER,
} from './target.js'

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

export interface ArtifactsSummary {
  bucket: string
  /** The bucket is wsapi's managed one (not --s3-bucket). */
  managed: boolean
  /** Keys already in the bucket, not uploaded again. */
  present: string[]
  /** Superseded keys of this stack removed after the deploy (managed bucket only). */
  removed: string[]
  uploaded: Array<{bytes: number; key: string; label: string}>
}

interface Common {
  account: string
  artifacts: ArtifactsSummary
  durationMs: number
  region: string
  stackName: string
  stage: string
}

export interface FailureReason {
  logicalId: string
  reason: string
  resourceType: string
  status: string
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

/** The zips a build made, to upload under the keys its template names. */
export function buildArtifacts(build: BuildResult): Artifact[] {
  return build.functions.map((fn) => ({
    bytes: fn.zipBytes,
    contentType: 'application/zip',
    key: fn.s3Key,
    label: fn.logicalId,
    read: async () => fn.zip,
  }))
}

export function toFailureReasons(events: StackEventInfo[]): FailureReason[] {
  return events.map((event) => ({
    logicalId: event.logicalId,
    reason: event.reason ?? '',
    resourceType: event.resourceType,
    status: event.status,
  }))
}

/** The AWS CLI command that prints a secret's value (a generated $connect token, for one). */
export function readSecretCommand(
  session: Pick<AwsSession, 'endpointUrl' | 'profile' | 'region'>,
  secretArn: string,
): string {
  const extra = [
    session.profile ? ` --profile ${session.profile}` : '',
    session.endpointUrl ? ` --endpoint-url ${session.endpointUrl}` : '',
  ].join('')
  return `aws secretsmanager get-secret-value --secret-id ${secretArn} --query SecretString --output text --region ${session.region}${extra}`
}

/** Outputs whose value is the Ref of an AWS::SecretsManager::Secret of the template (its ARN). */
function secretOutputs(template: CfnTemplate): string[] {
  return Object.entries(template.Outputs ?? {})
    .filter(([, output]) => {
      const target = (output.Value as {Ref?: unknown} | null)?.Ref
      return typeof target === 'string' && template.Resources[target]?.Type === 'AWS::SecretsManager::Secret'
    })
    .map(([key]) => key)
}

/** The AWS CLI command that executes a change set left for review. */
export function executeCommand(
  session: Pick<AwsSession, 'endpointUrl' | 'profile' | 'region'>,
  changeSetId: string,
): string {
  const extra = [
    session.profile ? ` --profile ${session.profile}` : '',
    session.endpointUrl ? ` --endpoint-url ${session.endpointUrl}` : '',
  ].join('')
  return `aws cloudformation execute-change-set --change-set-name ${changeSetId} --region ${session.region}${extra}`
}

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
    const {cloudFormation, s3} = session
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
    const managed = options.s3Bucket === undefined
    const bucket = managed
      ? (await ensureArtifactBucket(context)).bucket
      : await checkBucket(session, options.s3Bucket!)
    const {template} = build
    const artifacts = buildArtifacts(build)
    const body = JSON.stringify(template)
    const bodyBytes = Buffer.byteLength(body)
    if (bodyBytes > TEMPLATE_URL_LIMIT) {
      throw new WsapiError(
        `The template is ${bodyBytes} bytes; CloudFormation takes at most ${TEMPLATE_URL_LIMIT}: split the stack or trim the template.`,
        {code: 'TEMPLATE_TOO_LARGE'},
      )
    }

    const templateKey = `${stackPrefix(stackName)}${sha256(body)}.template.json`
    const byUrl = bodyBytes > TEMPLATE_BODY_LIMIT
    if (byUrl)
      artifacts.push({
        bytes: bodyBytes,
        contentType: 'application/json',
        key: templateKey,
        label: 'template',
        read: async () => Buffer.from(body),
      })
    const upload = await uploadMissing(s3, bucket, artifacts, {output})
    const uploadedBytes = upload.uploaded.reduce((sum, artifact) => sum + artifact.bytes, 0)
    output.info(
      upload.uploaded.length === 0
        ? `Artifacts: all ${upload.present.length} already in s3://${bucket}, nothing uploaded`
        : `Artifacts: uploaded ${upload.uploaded.length} (${uploadedBytes} bytes) to s3://${bucket}${upload.present.length > 0 ? `, ${upload.present.length} already there` : ''}`,
    )
    if (byUrl)
      output.info(
        `The template is ${bodyBytes} bytes (over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte TemplateBody limit): deploying it from S3`,
      )

    const result = await deployStack(context, {
      // After waiting for another deploy of this stack, which may have hidden artifacts this one reuses.
      afterWait: () => uploadMissing(s3, bucket, artifacts, {output}).then(() => {}),
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
          managed: {...stageValue, [ARTIFACT_BUCKET_PARAMETER]: bucket},
          prompt,
        })
        secrets.add(...resolved.secrets)
        return resolved.parameters
      },
      stackName,
      tags: ownershipTags(target),
      template: byUrl ? {url: s3.objectUrl(bucket, templateKey)} : {body},
    })

    const artifactsSummary: ArtifactsSummary = {
      bucket,
      managed,
      present: upload.present.map((artifact) => artifact.key),
      removed: [],
      uploaded: upload.uploaded.map((artifact) => ({bytes: artifact.bytes, key: artifact.key, label: artifact.label})),
    }
    const common = {account: identity.account, artifacts: artifactsSummary, region: session.region, stackName, stage}
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
        if (managed) {
          try {
            artifactsSummary.removed = await removeSuperseded(
              s3,
              bucket,
              stackName,
              [...artifacts.map((artifact) => artifact.key), ...(byUrl ? [templateKey] : [])],
              new Date(started),
            )
          } catch (error) {
            output.warn(
              `Could not remove superseded artifacts (${terminalLine((error as Error).message)}); they stay in s3://${bucket}/${stackPrefix(stackName)} until the next deploy or destroy.`,
            )
          }
        }

        return {
          ...common,
          changes: result.changes,
          durationMs: Date.now() - started,
          noOp: result.noOp,
          operation: result.operation,
          outputs,
          outputsFile:
            relative(process.cwd(), outputsStatePath(project.dir, stage)) || outputsStatePath(project.dir, stage),
          secretCommands: secretOutputs(project.template)
            .filter((key) => outputs[key] !== undefined)
            .map((key) => ({command: readSecretCommand(session!, outputs[key]), output: key})),
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

/** A `--s3-bucket` must exist and be in the stack's region (Lambda reads code only from its own region). */
async function checkBucket(session: AwsSession, bucket: string): Promise<string> {
  const region = await session.s3.bucketRegion(bucket)
  if (region !== undefined && region !== session.region) {
    throw new WsapiError(wrongBucketRegionMessage(bucket, region, session.region), {code: 'BUCKET_REGION'})
  }

  return bucket
}
