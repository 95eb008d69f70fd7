import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {UsageError} from '../errors.js'
import {liveDevServers, loadProject, TEMPLATE_FILE} from '../project/index.js'
import {signJwt} from './jwt.js'

export interface DevTokenOptions {
  /** Extra claims (name → value); they go in the token as given, after the registered ones are set. */
  claims?: Record<string, unknown>
  /** Project folder. */
  dir: string
  sub: string
  /** Lifetime in seconds. */
  ttlSeconds: number
}

export interface DevToken {
  audience: string
  expiresAt: string
  issuer: string
  /** The dev server that issued it. */
  pid: number
  token: string
}

/** Claims a token's purpose depends on; `--claim` cannot set them. */
const REGISTERED = new Set(['aud', 'exp', 'iat', 'iss', 'nbf', 'sub'])

/**
 * A token signed by the project's running `wsapi dev` as its local issuer: the key is read from the file
 * that server wrote (mode 0600), so only this user's processes can mint tokens.
 */
export function devToken(options: DevTokenOptions, servers: Awaited<ReturnType<typeof liveDevServers>>): DevToken {
  const issuing = servers.find((server) => server.jwtIssuer)
  if (!issuing?.jwtIssuer) {
    throw new UsageError(
      servers.length === 0
        ? 'No wsapi dev runs in this project: start `wsapi dev` (it issues the tokens while the JwtIssuer parameter is local), then run this again.'
        : 'The running wsapi dev does not issue tokens: the JwtIssuer parameter is not local, so get a token from that issuer.',
      {code: 'NO_ISSUER'},
    )
  }

  const {audience, issuer, keyFile, keyId} = issuing.jwtIssuer
  let key: string
  try {
    key = readFileSync(keyFile, 'utf8')
  } catch {
    throw new UsageError(
      `Cannot read the key of wsapi dev (pid ${issuing.pid}) at ${keyFile}: restart \`wsapi dev\`.`,
      {code: 'NO_ISSUER'},
    )
  }

  const now = Math.floor(Date.now() / 1000)
  const extra = Object.fromEntries(Object.entries(options.claims ?? {}).filter(([name]) => !REGISTERED.has(name)))
  const exp = now + options.ttlSeconds
  return {
    audience,
    expiresAt: new Date(exp * 1000).toISOString(),
    issuer,
    pid: issuing.pid,
    token: signJwt({...extra, aud: audience, exp, iat: now, iss: issuer, sub: options.sub}, key, keyId),
  }
}

/** `wsapi token`: finds the project and its issuing dev server, then signs. */
export async function mintDevToken(options: DevTokenOptions): Promise<DevToken> {
  if (!existsSync(join(options.dir, TEMPLATE_FILE))) {
    throw new UsageError(`No ${TEMPLATE_FILE} in ${options.dir}: run this in a wsapi project (or pass --dir).`, {
      code: 'NO_PROJECT',
    })
  }

  if (options.sub.trim() === '' || options.sub.length > 256)
    throw new UsageError('Invalid --sub: give the subject (user id) of the token, 1 to 256 characters.', {
      code: 'INVALID_SUB',
    })
  for (const name of Object.keys(options.claims ?? {})) {
    if (REGISTERED.has(name))
      throw new UsageError(
        `Invalid --claim ${name}: wsapi token sets ${[...REGISTERED].join(', ')} itself (use --sub and --ttl).`,
        {code: 'INVALID_CLAIM'},
      )
  }

  const project = loadProject(options.dir)
  return devToken(options, await liveDevServers(project.dir))
}

/** `name=value` → [name, value]; a value that parses as JSON (number, true, array…) is kept as such. */
export function parseClaim(text: string): [string, unknown] {
  const equals = text.indexOf('=')
  if (equals <= 0)
    throw new UsageError(`Invalid --claim ${JSON.stringify(text)}: write name=value, e.g. email=alice@example.com.`, {
      code: 'INVALID_CLAIM',
    })
  const raw = text.slice(equals + 1)
  let value: unknown = raw
  try {
    value = JSON.parse(raw)
  } catch {}

  return [text.slice(0, equals), value]
}
