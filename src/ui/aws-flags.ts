import {TOKEN_ENV} from '../lib/secret-input.js'
import {Flags} from './oclif.js'

/** Where the stack is: the flags deploy, destroy and status share. */
export const stackFlags = {
  dir: Flags.string({char: 'd', default: '.', description: 'Project folder (holding template.yaml).'}),
  stage: Flags.string({
    char: 's',
    description:
      "Stage; the stack is <project>-<stage>, so each stage is its own stack. [default: the template's StageName default]",
  }),
}

/** How to reach AWS. Each falls back to what the AWS CLI reads. */
export const awsFlags = {
  region: Flags.string({
    description: "AWS region. [default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region]",
    helpGroup: 'AWS',
  }),
  profile: Flags.string({
    description: 'Named profile of ~/.aws/config and ~/.aws/credentials. [default: AWS_PROFILE]',
    helpGroup: 'AWS',
  }),
  'endpoint-url': Flags.string({
    description:
      'Send every AWS call to this endpoint, e.g. http://localhost:4566 for LocalStack. [default: AWS_ENDPOINT_URL]',
    helpGroup: 'AWS',
  }),
}

/** CloudFormation is polled every 2 s; WSAPI_POLL_INTERVAL_MS changes it (LocalStack is quicker; tests use a few ms). */
export function pollIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env.WSAPI_POLL_INTERVAL_MS)
  return Number.isFinite(value) && value > 0 ? value : undefined
}

/** How a WebSocket client (connect, bench) authenticates its $connect: a token, or a SigV4-presigned URL. */
export const clientAuthFlags = {
  sigv4: Flags.boolean({
    description:
      "Presign the URL with SigV4 for an AWS_IAM $connect (wsapi dev's local caller, else your AWS credentials).",
    exclusive: ['token', 'token-stdin'],
  }),
  profile: Flags.string({description: 'With --sigv4: named AWS profile. [default: AWS_PROFILE]', dependsOn: ['sigv4']}),
  region: Flags.string({
    description: 'With --sigv4: the region to sign for. [default: from the execute-api host, else AWS_REGION]',
    dependsOn: ['sigv4'],
  }),
  token: Flags.string({
    description: `Token for the $connect authorizer (?token=, or the \`bearer\` subprotocol for jwt); prefer ${TOKEN_ENV} or --token-stdin. [default: this project's wsapi dev's own]`,
  }),
}
