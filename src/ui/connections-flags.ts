import {resolve} from 'node:path'

import {type AwsFlagValues, awsOptionsFrom} from '../lib/aws/options.js'
import type {ConnectionsTarget} from '../lib/connections/index.js'
import type {Output} from '../lib/output.js'
import {awsFlags, stackFlags} from './aws-flags.js'

/** The flags of `wsapi connections` and its subcommands, and the target they name. */

/** Where `wsapi connections` looks: the running dev server, or the deployed stage. */
export const connectionsFlags = {...stackFlags, ...awsFlags}

/** --stage or an AWS flag asks for the deployed stage, even while a dev server runs. */
export function wantsDeployed(flags: {
  'endpoint-url'?: string
  profile?: string
  region?: string
  stage?: string
}): boolean {
  return (
    flags.stage !== undefined ||
    flags.region !== undefined ||
    flags.profile !== undefined ||
    flags['endpoint-url'] !== undefined
  )
}

/**
 * The connections the flags name: those of the project's running `wsapi dev`, or of the deployed stage
 * (`wantsDeployed`). The connections library (and the AWS SDK behind it) loads only now.
 */
export async function connectionsTargetOf(
  flags: AwsFlagValues & {dir: string; stage?: string},
  output: Output,
): Promise<ConnectionsTarget> {
  const {resolveConnectionsTarget} = await import('../lib/connections/index.js')
  return resolveConnectionsTarget({
    aws: awsOptionsFrom(flags),
    deployed: wantsDeployed(flags),
    dir: resolve(flags.dir),
    output,
    stage: flags.stage,
  })
}
