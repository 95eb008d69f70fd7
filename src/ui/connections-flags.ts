import {awsFlags, stackFlags} from './aws-flags.js'

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
