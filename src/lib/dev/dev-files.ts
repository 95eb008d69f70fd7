import {existsSync, readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {removeDevState, STATE_DIR, writeDevState} from '../project/index.js'
import {LOCAL_CALLER} from './iam.js'
import type {LocalIssuer} from './local-issuer.js'
import type {DevServer} from './server-types.js'

// What a running `wsapi dev` keeps under the project's .wsapi/dev/: its record (<pid>.json, read by connect and
// bench), its bundles and issuer key (<pid>/, so that two servers on one project never delete each other's), and the
// AWS SDK links the bundles share (node_modules/); and how it removes them when it stops.

const DEV_DIR = join(STATE_DIR, 'dev')

/** This server's folder: its bundles, and its JWT issuer's key. */
export function serverDir(projectDir: string): string {
  return join(projectDir, DEV_DIR, String(process.pid))
}

/** Where the bundles find the AWS SDK. */
export function sdkLinksDir(projectDir: string): string {
  return join(projectDir, DEV_DIR, 'node_modules')
}

/** .wsapi/dev/<pid>.json, so that `wsapi connect` and `wsapi bench` find this server; with it, the issuer's key. */
export function writeServerRecord(
  projectDir: string,
  server: DevServer,
  details: {integrationTimeoutMs: number; issuer?: LocalIssuer; region: string},
): void {
  const issuer = server.localIssuer
  if (issuer) details.issuer!.writeKey(issuer.keyFile)
  writeDevState(projectDir, {
    dynamodbEndpoint: server.dynamodbEndpoint,
    jwtIssuer: issuer,
    sigv4: server.iamCaller
      ? {
          accessKeyId: LOCAL_CALLER.accessKeyId,
          region: details.region,
          secretAccessKey: LOCAL_CALLER.secretAccessKey,
          userArn: LOCAL_CALLER.userArn,
        }
      : undefined,
    integrationTimeoutMs: details.integrationTimeoutMs,
    managementEndpoint: server.managementEndpoint,
    pageUrl: server.pageUrl,
    pid: process.pid,
    stage: server.stage,
    startedAt: new Date().toISOString(),
    tables: server.tables,
    url: server.url,
  })
}

/** The server stops: its record (when it wrote one) and its folder go; the SDK links go with the project's last server. */
export function removeServerFiles(projectDir: string, record: boolean): void {
  if (record) removeDevState(projectDir)
  rmSync(serverDir(projectDir), {force: true, recursive: true})
  const devDir = join(projectDir, DEV_DIR)
  if (existsSync(devDir) && readdirSync(devDir).every((name) => name === 'node_modules'))
    rmSync(devDir, {force: true, recursive: true})
}
