import S3rver from 's3rver'

import {SimError} from './fake-cloudformation.js'
import {tempDir} from './tmp.js'

/** A real S3 API (s3rver) on 127.0.0.1, port 0, with a log of every object written. */
export interface LocalS3 {
  createBucket(name: string): Promise<void>
  fetchTemplate(url: string): Promise<string>
  objectExists(bucket: string, key: string): Promise<boolean>
  /** `bucket/key` of every PUT so far. */
  readonly puts: string[]
  stop(): Promise<void>
  readonly url: string
}

export async function startLocalS3(buckets: string[] = []): Promise<LocalS3> {
  const server = new S3rver({
    address: '127.0.0.1',
    configureBuckets: buckets.map((name) => ({configs: [], name})),
    directory: tempDir('wsapi-s3-'),
    port: 0,
    silent: process.env.S3RVER_LOG === undefined,
  })
  // s3rver deletes the objects of one DeleteObjects call in parallel, and each delete removes its folder
  // when that looks empty: two deletes in one folder race and fail with ENOENT (500). S3 has no folders;
  // deleting one object at a time keeps s3rver out of that race.
  const store = (server as unknown as {store: {deleteObject: (...args: unknown[]) => Promise<void>}}).store
  const deleteObject = store.deleteObject.bind(store)
  let queue = Promise.resolve()
  store.deleteObject = (...args) => {
    const next = queue.then(() => deleteObject(...args))
    queue = next.catch(() => {})
    return next
  }

  const {port} = (await server.run()) as unknown as {port: number}
  const url = `http://127.0.0.1:${port}`
  const puts: string[] = []
  server.on(
    'event',
    (event: {Records: Array<{eventName: string; s3: {bucket: {name: string}; object: {key: string}}}>}) => {
      for (const record of event.Records)
        if (record.eventName === 'ObjectCreated:Put') puts.push(`${record.s3.bucket.name}/${record.s3.object.key}`)
    },
  )
  return {
    async createBucket(name) {
      const response = await fetch(`${url}/${name}`, {method: 'PUT'})
      if (!response.ok) throw new Error(`s3rver would not create ${name}: ${response.status}`)
    },
    async fetchTemplate(templateUrl) {
      const response = await fetch(templateUrl)
      if (!response.ok)
        throw new SimError('ValidationError', `S3 error: Unable to get object ${templateUrl}: ${response.status}`)
      return response.text()
    },
    async objectExists(bucket, key) {
      const response = await fetch(`${url}/${bucket}/${key}`, {method: 'HEAD'})
      return response.ok
    },
    puts,
    async stop() {
      await server.close()
    },
    url,
  }
}
