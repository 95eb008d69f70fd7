import {type AwsSession, wrongBucketRegionMessage} from '../aws/index.js'
import type {BuildResult} from '../bundle/index.js'
import {WsapiError} from '../errors.js'
import type {Output} from '../output.js'
import {terminalLine} from '../terminal-text.js'
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
import type {StackContext} from './deploy-stack.js'

/**
 * A deploy's build put where CloudFormation and Lambda read it: the artifact bucket (wsapi's managed one, or
 * `--s3-bucket`), the zips and, over the TemplateBody limit, the template uploaded when missing; and after the
 * deploy, the artifacts this stack no longer uses hidden.
 */

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

/** The build in the bucket, ready for a change set. */
export interface UploadedBuild {
  /** What was uploaded or found; the same artifacts go up again if a concurrent deploy hid them (`reupload`). */
  artifacts: Artifact[]
  bucket: string
  /** The keys the deployed stack uses: everything else under its prefix is superseded. */
  keep: string[]
  managed: boolean
  summary: ArtifactsSummary
  /** How the change set gets the template: inline, or from the bucket when over CloudFormation's TemplateBody limit. */
  template: {body: string} | {url: string}
}

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

/** A `--s3-bucket` must exist and be in the stack's region (Lambda reads code only from its own region). */
async function checkBucket(session: AwsSession, bucket: string): Promise<string> {
  const region = await session.s3.bucketRegion(bucket)
  if (region !== undefined && region !== session.region) {
    throw new WsapiError(wrongBucketRegionMessage(bucket, region, session.region), {code: 'BUCKET_REGION'})
  }

  return bucket
}

/** Makes sure of the bucket, then uploads what it lacks of the build (and of the template, when it goes by URL). */
export async function uploadBuild(
  session: AwsSession,
  context: StackContext,
  build: BuildResult,
  options: {output: Output; s3Bucket?: string; stackName: string},
): Promise<UploadedBuild> {
  const {output, stackName} = options
  const {s3} = session
  const managed = options.s3Bucket === undefined
  const bucket = managed ? (await ensureArtifactBucket(context)).bucket : await checkBucket(session, options.s3Bucket!)
  const artifacts = buildArtifacts(build)
  const body = JSON.stringify(build.template)
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

  return {
    artifacts,
    bucket,
    keep: [...artifacts.map((artifact) => artifact.key), ...(byUrl ? [templateKey] : [])],
    managed,
    summary: {
      bucket,
      managed,
      present: upload.present.map((artifact) => artifact.key),
      removed: [],
      uploaded: upload.uploaded.map((artifact) => ({bytes: artifact.bytes, key: artifact.key, label: artifact.label})),
    },
    template: byUrl ? {url: s3.objectUrl(bucket, templateKey)} : {body},
  }
}

/** Uploads again what the bucket lacks: after waiting for another deploy of the stack, which may have hidden artifacts this one reuses. */
export async function reuploadMissing(session: AwsSession, uploaded: UploadedBuild, output: Output): Promise<void> {
  await uploadMissing(session.s3, uploaded.bucket, uploaded.artifacts, {output})
}

/**
 * After a deploy to the managed bucket, hides this stack's artifacts written before `since` that it no longer
 * uses (recorded in the summary). Failing to is a warning: the deploy itself succeeded.
 */
export async function hideSuperseded(
  session: AwsSession,
  uploaded: UploadedBuild,
  stackName: string,
  since: Date,
  output: Output,
): Promise<void> {
  if (!uploaded.managed) return
  try {
    uploaded.summary.removed = await removeSuperseded(session.s3, uploaded.bucket, stackName, uploaded.keep, since)
  } catch (error) {
    output.warn(
      `Could not remove superseded artifacts (${terminalLine((error as Error).message)}); they stay in s3://${uploaded.bucket}/${stackPrefix(stackName)} until the next deploy or destroy.`,
    )
  }
}
