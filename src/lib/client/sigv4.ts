import {UsageError} from '../errors.js'
import type {ClientTarget} from './target.js'

export interface SigV4Options {
  profile?: string
  region?: string
}

/**
 * The target's URL presigned for an AWS_IAM $connect (`--sigv4`): against `wsapi dev`, with the local caller its
 * record names; elsewhere with the standard credential chain (`--profile`), for the region of `--region`, else
 * of the execute-api host, else AWS_REGION / AWS_DEFAULT_REGION.
 */
export async function presignTarget(
  target: Pick<ClientTarget, 'dev' | 'source' | 'url'>,
  options: SigV4Options,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const {presignUrl, regionOfExecuteApiHost} = await import('../aws/sigv4.js')
  const local = target.source === 'dev' ? target.dev?.sigv4 : undefined
  if (local)
    return presignUrl(target.url, {
      credentials: {accessKeyId: local.accessKeyId, secretAccessKey: local.secretAccessKey},
      region: local.region,
    })
  const region =
    options.region ?? regionOfExecuteApiHost(new URL(target.url).hostname) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION
  if (!region) {
    throw new UsageError(
      `--sigv4: no region to sign for ${new URL(target.url).host}: pass --region (e.g. --region eu-west-1) or set AWS_REGION.`,
      {code: 'NO_REGION'},
    )
  }

  try {
    return await presignUrl(target.url, {profile: options.profile, region})
  } catch (error) {
    throw new UsageError(
      `--sigv4: no AWS credentials to sign with (${(error as Error).message.split('\n')[0]}): pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.`,
      {
        cause: error,
        code: 'NO_CREDENTIALS',
      },
    )
  }
}
