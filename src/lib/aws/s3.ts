import type * as S3Sdk from '@aws-sdk/client-s3'

import {type AwsCallContext, awsErrorCode, AwsCallError, toAwsCallError} from './errors.js'

export interface ObjectVersion {
  key: string
  versionId?: string
}

/** Thin typed wrapper over the S3 calls wsapi makes; errors become AwsCallError naming the bucket. */
export class S3Api {
  constructor(
    private readonly sdk: typeof S3Sdk,
    readonly client: S3Sdk.S3Client,
    private readonly context: Omit<AwsCallContext, 'operation' | 'service'> & {endpointUrl?: string},
  ) {}

  /** The bucket's region, or undefined when S3 does not say (S3-compatible endpoints, no permission). */
  async bucketRegion(bucket: string): Promise<string | undefined> {
    try {
      const output = await this.client.send(new this.sdk.HeadBucketCommand({Bucket: bucket}))
      return output.BucketRegion
    } catch (error) {
      const context = {...this.context, bucket, operation: 'HeadBucket', service: 'S3'} as const
      const translated = toAwsCallError(error, context)
      // HEAD answers carry no body: a bare 404 is a missing bucket, a bare 403 someone else's (or no s3:ListBucket).
      if (translated.kind === 'not-found') throw toAwsCallError({message: '', name: 'NoSuchBucket'}, context)
      if (translated.kind === 'access-denied') {
        throw new AwsCallError(
          `Access denied to bucket ${bucket}: it belongs to another account, or your credentials lack s3:ListBucket on it. Use a bucket of your own, or leave --s3-bucket out to use wsapi's managed bucket.`,
          {
            awsCode: translated.awsCode,
            cause: error,
            code: 'ACCESS_DENIED',
            kind: 'access-denied',
            operation: 'HeadBucket',
          },
        )
      }

      if (translated.kind === 'other' || translated.kind === 'validation') return undefined
      throw translated
    }
  }

  /** Deletes the given objects (or object versions), 1000 per request. */
  async deleteObjects(bucket: string, objects: ObjectVersion[]): Promise<void> {
    for (let start = 0; start < objects.length; start += 1000) {
      const batch = objects.slice(start, start + 1000)
      // eslint-disable-next-line no-await-in-loop
      const output = await this.call('DeleteObjects', bucket, () =>
        this.client.send(
          new this.sdk.DeleteObjectsCommand({
            Bucket: bucket,
            Delete: {Objects: batch.map((object) => ({Key: object.key, VersionId: object.versionId})), Quiet: true},
          }),
        ),
      )
      const failed = output.Errors ?? []
      if (failed.length > 0) {
        const first = failed[0]
        throw toAwsCallError(
          Object.assign(new Error(`${failed.length} objects not deleted, e.g. ${first.Key}: ${first.Message ?? ''}`), {
            name: first.Code ?? 'DeleteFailed',
          }),
          {
            ...this.context,
            bucket,
            operation: 'DeleteObjects',
            service: 'S3',
          },
        )
      }
    }
  }

  /** The current objects under a prefix (all pages). */
  async listObjects(bucket: string, prefix: string): Promise<Array<{key: string; lastModified?: Date}>> {
    const objects: Array<{key: string; lastModified?: Date}> = []
    let token: string | undefined
    do {
      const continuation = token
      // eslint-disable-next-line no-await-in-loop
      const page = await this.call('ListObjectsV2', bucket, () =>
        this.client.send(
          new this.sdk.ListObjectsV2Command({Bucket: bucket, ContinuationToken: continuation, Prefix: prefix}),
        ),
      )
      for (const object of page.Contents ?? [])
        if (object.Key) objects.push({key: object.Key, lastModified: object.LastModified})
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
    return objects
  }

  /** Every version and delete marker under a prefix (all pages): what must go for the prefix to be really empty. */
  async listVersions(bucket: string, prefix: string): Promise<ObjectVersion[]> {
    const versions: ObjectVersion[] = []
    let keyMarker: string | undefined
    let versionIdMarker: string | undefined
    for (;;) {
      const markers = {KeyMarker: keyMarker, VersionIdMarker: versionIdMarker}
      // eslint-disable-next-line no-await-in-loop
      const page = await this.call('ListObjectVersions', bucket, () =>
        this.client.send(new this.sdk.ListObjectVersionsCommand({Bucket: bucket, Prefix: prefix, ...markers})),
      )
      for (const item of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
        if (item.Key?.startsWith(prefix)) versions.push({key: item.Key, versionId: item.VersionId})
      }

      if (!page.IsTruncated) return versions
      keyMarker = page.NextKeyMarker
      versionIdMarker = page.NextVersionIdMarker
    }
  }

  /** True if the object exists, false if not, undefined if S3 will not say (403 without s3:ListBucket): then upload. */
  async objectExists(bucket: string, key: string): Promise<boolean | undefined> {
    try {
      await this.client.send(new this.sdk.HeadObjectCommand({Bucket: bucket, Key: key}))
      return true
    } catch (error) {
      const code = awsErrorCode(error)
      const status = (error as {$metadata?: {httpStatusCode?: number}}).$metadata?.httpStatusCode
      if (code === 'NotFound' || code === 'NoSuchKey' || (status === 404 && code !== 'NoSuchBucket')) return false
      if (code === 'Forbidden' || status === 403) return undefined
      throw toAwsCallError(error, {...this.context, bucket, operation: 'HeadObject', service: 'S3'})
    }
  }

  /** The https URL CloudFormation fetches a template from (path style on custom endpoints such as LocalStack). */
  objectUrl(bucket: string, key: string): string {
    const path = key
      .split('/')
      .map((part) => encodeURIComponent(part))
      .join('/')
    if (this.context.endpointUrl) return `${this.context.endpointUrl}/${bucket}/${path}`
    const suffix = this.context.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
    return `https://${bucket}.s3.${this.context.region}.${suffix}/${path}`
  }

  async putObject(bucket: string, key: string, body: Buffer, contentType: string): Promise<void> {
    await this.call('PutObject', bucket, () =>
      this.client.send(new this.sdk.PutObjectCommand({Body: body, Bucket: bucket, ContentType: contentType, Key: key})),
    )
  }

  private async call<T>(operation: string, bucket: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send()
    } catch (error) {
      throw toAwsCallError(error, {...this.context, bucket, operation, service: 'S3'})
    }
  }
}
