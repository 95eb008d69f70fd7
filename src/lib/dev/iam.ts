import type {SigV4Credentials} from '../aws/sigv4.js'
import {LOCAL_ACCOUNT_ID} from './environment.js'

/**
 * The caller `wsapi dev` knows for routes with AuthorizationType AWS_IAM: documented, not secret (they open
 * nothing but a local emulator), written to the dev record so that `wsapi connect --sigv4` and `wsapi bench
 * --sigv4` sign with them when they target dev.
 */
export const LOCAL_CALLER = {
  accessKeyId: 'AKIAWSAPIDEVCALLER00',
  secretAccessKey: 'wsapi-dev-local-caller-secret-access-key',
  userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/wsapi-dev`,
  userId: 'AIDAWSAPIDEVCALLER00',
} as const

/** requestContext.identity fields of a SigV4-signed connection, as API Gateway fills them for an IAM user. */
export interface IamIdentity {
  accessKey: string
  accountId: string
  caller: string
  user: string
  userArn: string
}

export function localCredentials(accessKeyId: string): SigV4Credentials | undefined {
  return accessKeyId === LOCAL_CALLER.accessKeyId
    ? {accessKeyId, secretAccessKey: LOCAL_CALLER.secretAccessKey}
    : undefined
}

export function localIdentity(accessKeyId: string): IamIdentity {
  return {
    accessKey: accessKeyId,
    accountId: LOCAL_ACCOUNT_ID,
    caller: LOCAL_CALLER.userId,
    user: LOCAL_CALLER.userId,
    userArn: LOCAL_CALLER.userArn,
  }
}
