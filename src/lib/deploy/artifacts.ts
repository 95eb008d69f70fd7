import {createHash} from 'node:crypto'

import {AwsCallError, type S3Api} from '../aws/index.js'
import type {Output} from '../output.js'

/** CloudFormation takes a TemplateBody up to this many bytes; larger templates go by TemplateURL. */
export const TEMPLATE_BODY_LIMIT = 51_200
/** And a TemplateURL template up to this many. */
export const TEMPLATE_URL_LIMIT = 1_048_576

/** Every object of a stack lives under `<stack>/`, so that destroy removes exactly that stack's objects. */
export function stackPrefix(stackName: string): string {
  return `${stackName}/`
}

export interface Artifact {
  bytes: number
  contentType: string
  /** Content-addressed: the same content always has the same key. */
  key: string
  /** What it is, for messages (e.g. ConnectFunction). */
  label: string
  read(): Promise<Buffer>
}

export interface UploadReport {
  /** Already in the bucket: not uploaded again. */
  present: Artifact[]
  uploaded: Artifact[]
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/**
 * Uploads the artifacts whose key is not in the bucket yet (HeadObject first): a re-deploy of unchanged
 * code uploads nothing. A few at a time; the same key listed twice is uploaded once.
 */
export async function uploadMissing(
  s3: S3Api,
  bucket: string,
  artifacts: Artifact[],
  options: {concurrency?: number; output?: Output} = {},
): Promise<UploadReport> {
  const unique = [...new Map(artifacts.map((artifact) => [artifact.key, artifact])).values()]
  const report: UploadReport = {present: [], uploaded: []}
  const queue = [...unique]
  const worker = async () => {
    for (let artifact = queue.shift(); artifact; artifact = queue.shift()) {
      // eslint-disable-next-line no-await-in-loop
      if (await s3.objectExists(bucket, artifact.key)) {
        report.present.push(artifact)
        options.output?.debug(`s3://${bucket}/${artifact.key} (${artifact.label}) is already there`)
        continue
      }

      // eslint-disable-next-line no-await-in-loop
      await s3.putObject(bucket, artifact.key, await artifact.read(), artifact.contentType)
      report.uploaded.push(artifact)
      options.output?.debug(`Uploaded ${artifact.label} to s3://${bucket}/${artifact.key}`)
    }
  }

  await Promise.all(Array.from({length: Math.min(options.concurrency ?? 4, unique.length)}, () => worker()))
  return report
}

/**
 * Hides the stack's objects that its new template no longer uses. In the versioned managed bucket this
 * leaves a delete marker; the bucket's lifecycle rule expires the old version later. Objects written
 * since `startedAt` are left alone: they belong to a deploy of the same stack waiting for this one.
 */
export async function removeSuperseded(
  s3: S3Api,
  bucket: string,
  stackName: string,
  keep: string[],
  startedAt: Date,
): Promise<string[]> {
  const kept = new Set(keep)
  const superseded = (await s3.listObjects(bucket, stackPrefix(stackName)))
    .filter((object) => !kept.has(object.key) && (object.lastModified === undefined || object.lastModified < startedAt))
    .map((object) => object.key)
  await s3.deleteObjects(
    bucket,
    superseded.map((key) => ({key})),
  )
  return superseded
}

/** Removes every object of the stack from the bucket, old versions included. Returns how many keys went. */
export async function purgeStackArtifacts(s3: S3Api, bucket: string, stackName: string): Promise<number> {
  const prefix = stackPrefix(stackName)
  const keys = (await s3.listObjects(bucket, prefix)).map((object) => object.key)
  await s3.deleteObjects(
    bucket,
    keys.map((key) => ({key})),
  )
  let versions: Awaited<ReturnType<S3Api['listVersions']>> = []
  try {
    versions = await s3.listVersions(bucket, prefix)
  } catch (error) {
    // S3-compatible servers without versioning: the current objects are gone, which is all there is.
    if (!(AwsCallError.isAwsCallError(error) && /NotImplemented|MethodNotAllowed/.test(error.awsCode))) throw error
  }

  await s3.deleteObjects(bucket, versions)
  return new Set([...keys, ...versions.map((version) => version.key)]).size
}
