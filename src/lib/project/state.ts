import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {dirname, join} from 'node:path'

/**
 * Files through which wsapi commands find each other's results inside a project:
 *   .wsapi/dev/<pid>.json        written by each running `wsapi dev` (several may run), removed by that one when it stops
 *   .wsapi/outputs/<stage>.json  written by `wsapi deploy` with the stack's outputs
 *   .wsapi/dev-secrets.json      the secrets `wsapi dev` generated (mode 0600), kept between runs
 * `wsapi connect` and `wsapi bench` read them to pick their default URL (and token, against `wsapi dev`).
 */

export const STATE_DIR = '.wsapi'

export interface DevServerState {
  /** The embedded DynamoDB endpoint, e.g. http://127.0.0.1:41234 (for `wsapi connections`). */
  dynamodbEndpoint?: string
  /** `--integration-timeout` in ms, so that clients can name the real limit. */
  integrationTimeoutMs?: number
  /** Set when this server issues the project's JWTs (JwtIssuer `local`): public facts, and the 0600 file of its key. */
  jwtIssuer?: {audience: string; issuer: string; jwksUrl: string; keyFile: string; keyId: string}
  /** Set when $connect has AWS_IAM authorization: the documented local caller this server accepts signatures of. */
  sigv4?: {accessKeyId: string; region: string; secretAccessKey: string; userArn: string}
  /** `@connections` endpoint, e.g. http://127.0.0.1:3001/v1 */
  managementEndpoint: string
  /** The chat page, e.g. http://127.0.0.1:3001/ */
  pageUrl: string
  pid: number
  stage: string
  startedAt: string
  /** The template's tables under the names dev gave them. */
  tables?: Array<{logicalId: string; name: string}>
  /** WebSocket URL, e.g. ws://127.0.0.1:3001/v1 */
  url: string
}

export interface DeployOutputsState {
  deployedAt: string
  /** CloudFormation stack outputs by key (WebSocketUrl, ManagementEndpoint, ApiId, StageName, ConnectionsTable, …). */
  outputs: Record<string, string>
  region: string
  stackName: string
  stage: string
}

/** The record of the dev server with this pid. */
export function devStatePath(projectDir: string, pid = process.pid): string {
  return join(projectDir, STATE_DIR, 'dev', `${pid}.json`)
}

/** Where wsapi 0.x kept the one record of a project; still read, so that an older running server is found. */
function legacyDevStatePath(projectDir: string): string {
  return join(projectDir, STATE_DIR, 'dev.json')
}

export function outputsStatePath(projectDir: string, stage: string): string {
  return join(projectDir, STATE_DIR, 'outputs', `${stage}.json`)
}

export function devSecretsPath(projectDir: string): string {
  return join(projectDir, STATE_DIR, 'dev-secrets.json')
}

/** Writes JSON atomically (temp file + rename), so a reader never sees half a file. */
function writeJson(path: string, value: unknown, mode = 0o644): void {
  mkdirSync(dirname(path), {recursive: true})
  const temporary = `${path}.${process.pid}.tmp`
  rmSync(temporary, {force: true})
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, {mode})
  // The umask may have taken bits away, never added any; chmod makes a secret file 0600 whatever it is.
  chmodSync(temporary, mode)
  renameSync(temporary, path)
}

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function writeDevState(projectDir: string, state: DevServerState): void {
  writeJson(devStatePath(projectDir, state.pid), state)
}

/** Removes the record of the server `pid` (this process by default), never another's. */
export function removeDevState(projectDir: string, pid = process.pid): void {
  rmSync(devStatePath(projectDir, pid), {force: true})
  if (readJson<DevServerState>(legacyDevStatePath(projectDir))?.pid === pid)
    rmSync(legacyDevStatePath(projectDir), {force: true})
}

/** Records of the project's dev servers whose process still runs, the one started last first. */
export function readDevStates(projectDir: string): DevServerState[] {
  const dir = join(projectDir, STATE_DIR, 'dev')
  const names = existsSync(dir) ? readdirSync(dir).filter((name) => /^\d+\.json$/.test(name)) : []
  const states = [
    ...names.map((name) => readJson<DevServerState>(join(dir, name))),
    readJson<DevServerState>(legacyDevStatePath(projectDir)),
  ]
  const seen = new Set<number>()
  return states
    .filter((state): state is DevServerState => {
      if (!state || typeof state.url !== 'string' || typeof state.pid !== 'number' || seen.has(state.pid)) return false
      seen.add(state.pid)
      return isAlive(state.pid)
    })
    .sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)))
}

/** True when something accepts TCP connections at the host and port of `url` (within `timeoutMs`). */
export function portAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const {hostname, port, protocol} = new URL(url)
  return new Promise((resolve) => {
    const socket = connect({
      host: hostname.replace(/^\[|\]$/g, ''),
      port: Number(port || (protocol === 'wss:' ? 443 : 80)),
    })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }

    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/**
 * The project's running dev servers, the one started last first: a record counts when its process runs
 * and its port answers (a pid reused by another program has no server there).
 */
export async function liveDevServers(projectDir: string): Promise<DevServerState[]> {
  const candidates = readDevStates(projectDir)
  const answers = await Promise.all(candidates.map((state) => portAnswers(state.url)))
  return candidates.filter((_, index) => answers[index])
}

/** The running dev server of the project started last, or undefined (a record left by a dead process is ignored). */
export function readDevState(projectDir: string): DevServerState | undefined {
  return readDevStates(projectDir)[0]
}

export function writeOutputsState(projectDir: string, state: DeployOutputsState): void {
  writeJson(outputsStatePath(projectDir, state.stage), state)
}

export function readOutputsState(projectDir: string, stage: string): DeployOutputsState | undefined {
  const state = readJson<DeployOutputsState>(outputsStatePath(projectDir, stage))
  return state && typeof state.outputs === 'object' ? state : undefined
}

/** Secret values `wsapi dev` generated for the template's secrets, by logical id (only this user may read the file). */
export function writeDevSecrets(projectDir: string, secrets: Record<string, string>): void {
  writeJson(devSecretsPath(projectDir), secrets, 0o600)
}

export function readDevSecrets(projectDir: string): Record<string, string> {
  const secrets = readJson<Record<string, unknown>>(devSecretsPath(projectDir))
  if (!secrets || typeof secrets !== 'object') return {}
  return Object.fromEntries(
    Object.entries(secrets).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  )
}
