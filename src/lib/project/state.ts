import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

/**
 * Files through which wsapi commands find each other's results inside a project:
 *   .wsapi/dev.json              written by a running `wsapi dev`, removed when it stops
 *   .wsapi/outputs/<stage>.json  written by `wsapi deploy` with the stack's outputs
 *   .wsapi/dev-secrets.json      the secrets `wsapi dev` generated (mode 0600), kept between runs
 * `wsapi connect` and `wsapi bench` read them to pick their default URL (and token, against `wsapi dev`).
 */

export const STATE_DIR = '.wsapi'

export interface DevServerState {
  /** `@connections` endpoint, e.g. http://127.0.0.1:3001/v1 */
  managementEndpoint: string
  /** The chat page, e.g. http://127.0.0.1:3001/ */
  pageUrl: string
  pid: number
  stage: string
  startedAt: string
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

export function devStatePath(projectDir: string): string {
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
  writeJson(devStatePath(projectDir), state)
}

export function removeDevState(projectDir: string, pid = process.pid): void {
  const current = readJson<DevServerState>(devStatePath(projectDir))
  if (current?.pid === pid) rmSync(devStatePath(projectDir), {force: true})
}

/** The running dev server of the project, or undefined (a file left by a dead process is ignored). */
export function readDevState(projectDir: string): DevServerState | undefined {
  const state = readJson<DevServerState>(devStatePath(projectDir))
  return state && typeof state.url === 'string' && isAlive(state.pid) ? state : undefined
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
  return Object.fromEntries(Object.entries(secrets).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
}
