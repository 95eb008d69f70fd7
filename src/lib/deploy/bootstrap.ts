import {WsapiError} from '../errors.js'
import type {CfnTemplate} from '../project/index.js'
import {deployStack, type StackContext} from './deploy-stack.js'
import {isUpdatable} from './stack-status.js'

/** The stack that holds wsapi's artifact bucket: one per account and region. */
export const BOOTSTRAP_STACK = 'wsapi-bootstrap'
/** Bumped when the template below changes, so that older bootstrap stacks get updated. */
export const BOOTSTRAP_VERSION = '1'
/** Superseded artifacts (noncurrent versions) are kept this long, then expire. */
export const ARTIFACT_RETENTION_DAYS = 30

/**
 * The managed artifact bucket. CloudFormation names it (a predictable name could be taken first by
 * someone else). Encrypted (SSE-S3), public access blocked, ACLs off, TLS only. Versioned: after each
 * deploy wsapi deletes the artifacts the stack no longer uses, which only hides them; the lifecycle rule
 * then expires them ARTIFACT_RETENTION_DAYS later, while the artifacts in use never expire (a rollback
 * needs the previous code to still be there). Retained if the stack is deleted, so live stacks keep their code.
 */
export function bootstrapTemplate(): CfnTemplate {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'wsapi artifact bucket: function zips and large templates of wsapi deploy (one per account and region)',
    Outputs: {
      BucketName: {Description: 'Bucket for wsapi deploy artifacts', Value: {Ref: 'ArtifactBucket'}},
      Version: {Description: 'Version of this bootstrap template', Value: BOOTSTRAP_VERSION},
    },
    Resources: {
      ArtifactBucket: {
        DeletionPolicy: 'Retain',
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: 'AES256'}}],
          },
          LifecycleConfiguration: {
            Rules: [
              {
                AbortIncompleteMultipartUpload: {DaysAfterInitiation: 1},
                ExpiredObjectDeleteMarker: true,
                Id: 'ExpireSupersededArtifacts',
                NoncurrentVersionExpiration: {NoncurrentDays: ARTIFACT_RETENTION_DAYS},
                Status: 'Enabled',
              },
            ],
          },
          OwnershipControls: {Rules: [{ObjectOwnership: 'BucketOwnerEnforced'}]},
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          VersioningConfiguration: {Status: 'Enabled'},
        },
        Type: 'AWS::S3::Bucket',
        UpdateReplacePolicy: 'Retain',
      },
      ArtifactBucketPolicy: {
        Properties: {
          Bucket: {Ref: 'ArtifactBucket'},
          PolicyDocument: {
            Statement: [
              {
                Action: 's3:*',
                Condition: {Bool: {'aws:SecureTransport': 'false'}},
                Effect: 'Deny',
                Principal: '*',
                Resource: [{'Fn::GetAtt': ['ArtifactBucket', 'Arn']}, {'Fn::Sub': '${ArtifactBucket.Arn}/*'}],
                Sid: 'DenyInsecureTransport',
              },
            ],
            Version: '2012-10-17',
          },
        },
        Type: 'AWS::S3::BucketPolicy',
      },
    },
  }
}

export interface ArtifactBucket {
  bucket: string
  /** This run created or updated the bootstrap stack. */
  changed: boolean
}

/**
 * The managed artifact bucket of the account and region, creating (or updating) the bootstrap stack
 * first when needed. One DescribeStacks call when all is in place.
 */
export async function ensureArtifactBucket(context: StackContext): Promise<ArtifactBucket> {
  const current = await context.cloudFormation.describeStack(BOOTSTRAP_STACK)
  const output = (key: string) => current?.outputs.find((item) => item.key === key)?.value
  const bucket = output('BucketName')
  if (current && isUpdatable(current.status) && bucket && output('Version') === BOOTSTRAP_VERSION)
    return {bucket, changed: false}
  if (current && isUpdatable(current.status) && output('Version') === undefined) {
    throw new WsapiError(
      `A stack named ${BOOTSTRAP_STACK} exists but was not made by wsapi: pass --s3-bucket with a bucket of yours in this region instead.`,
      {code: 'BOOTSTRAP_CONFLICT'},
    )
  }

  context.output.info(
    current
      ? `Updating wsapi's artifact bucket (stack ${BOOTSTRAP_STACK}, ${current.status})…`
      : `Creating wsapi's artifact bucket for this account and region (stack ${BOOTSTRAP_STACK}, once)…`,
  )
  const result = await deployStack(context, {
    parameters: () => [],
    stackName: BOOTSTRAP_STACK,
    template: {body: JSON.stringify(bootstrapTemplate())},
  })
  if (result.type === 'failed') {
    const reasons = result.rootCause.map((event) => `${event.logicalId}: ${event.reason ?? event.status}`).join('; ')
    throw new WsapiError(
      `Could not create wsapi's artifact bucket (stack ${BOOTSTRAP_STACK} ${result.stack.status}${reasons ? `: ${reasons}` : ''}): fix that, or pass --s3-bucket with a bucket of yours in this region.`,
      {
        code: 'BOOTSTRAP_FAILED',
      },
    )
  }

  const stack = result.type === 'deployed' ? result.stack : undefined
  const name = stack?.outputs.find((item) => item.key === 'BucketName')?.value
  if (!name)
    throw new WsapiError(
      `Stack ${BOOTSTRAP_STACK} has no BucketName output: delete it (\`aws cloudformation delete-stack --stack-name ${BOOTSTRAP_STACK}\`) and re-run.`,
      {code: 'BOOTSTRAP_FAILED'},
    )
  return {bucket: name, changed: true}
}
