import {resolve} from 'node:path'

import type {DevToken} from '../lib/auth/dev-token.js'
import {WsapiCommand} from '../ui/base-command.js'
import {durationFlagWithDefault} from '../ui/duration-flag.js'
import {Flags} from '../ui/oclif.js'

export default class Token extends WsapiCommand {
  static override description = `For a project made with \`wsapi init --auth jwt\` whose JwtIssuer parameter is local: prints a JWT signed by the project's running \`wsapi dev\`, which verifies it as the deployed authorizer verifies real ones (signature, issuer, audience, expiry). Only processes of the user who runs \`wsapi dev\` can read its key. The token goes to stdout and nothing else does, so that it can be piped or captured.`

  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %> --sub alice',
      description: 'A token for user alice, valid for an hour',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --sub bob --claim email=bob@example.com --ttl 1m',
      description: 'With an email claim (it reaches requestContext.authorizer), valid for a minute',
    },
  ]

  static override flags = {
    dir: Flags.string({default: '.', description: 'Project folder.'}),
    sub: Flags.string({
      description: 'The subject (user id): the principalId of connections that present the token.',
      required: true,
    }),
    claim: Flags.string({
      description: 'An extra claim, name=value (repeatable; JSON values such as numbers stay typed).',
      multiple: true,
    }),
    ttl: durationFlagWithDefault(
      {bare: 's', maxMs: 30 * 86_400_000},
      '1h',
    )({description: 'How long until the token expires, e.g. 15m (a bare number is seconds; at most 30d).'}),
  }

  static override summary = 'Print a JWT issued by the running wsapi dev (jwt projects).'

  async run(): Promise<DevToken> {
    const {flags} = await this.parse(Token)
    const {mintDevToken, parseClaim} = await import('../lib/auth/dev-token.js')
    const result = await mintDevToken({
      claims: Object.fromEntries((flags.claim ?? []).map((claim) => parseClaim(claim))),
      dir: resolve(flags.dir),
      sub: flags.sub,
      // JWT times are whole seconds: a part of one counts as one.
      ttlSeconds: Math.ceil(flags.ttl / 1000),
    })
    if (!this.jsonEnabled()) this.log(result.token)
    return result
  }
}
