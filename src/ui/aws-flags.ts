import {Flags} from './oclif.js'

/** Where the stack is: the flags deploy, destroy and status share. */
export const stackFlags = {
  dir: Flags.string({char: 'd', default: '.', description: 'Project folder (holding template.yaml).'}),
  stage: Flags.string({char: 's', description: "Stage; the stack is <project>-<stage>, so each stage is its own stack. [default: the template's StageName default]"}),
}

/** How to reach AWS. Each falls back to what the AWS CLI reads. */
export const awsFlags = {
  region: Flags.string({description: "AWS region. [default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region]", helpGroup: 'AWS'}),
  profile: Flags.string({description: 'Named profile of ~/.aws/config and ~/.aws/credentials. [default: AWS_PROFILE]', helpGroup: 'AWS'}),
  'endpoint-url': Flags.string({description: 'Send every AWS call to this endpoint, e.g. http://localhost:4566 for LocalStack. [default: AWS_ENDPOINT_URL]', helpGroup: 'AWS'}),
}

/** CloudFormation is polled every 2 s; WSAPI_POLL_INTERVAL_MS changes it (LocalStack is quicker; tests use a few ms). */
export function pollIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env.WSAPI_POLL_INTERVAL_MS)
  return Number.isFinite(value) && value > 0 ? value : undefined
}

/** A person is there to answer questions: stdin and stdout are terminals, and the output is not JSON. */
export function isInteractive(json: boolean): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !json
}
