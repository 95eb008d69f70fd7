import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {UsageError, WsapiError} from '../errors.js'
import {TEMPLATES_DIR} from '../paths.js'
import {
  exampleMessage,
  fileStem,
  parseRouteSelectionExpression,
  parseTemplate,
  pascalCase,
  TEMPLATE_FILE,
  validateRouteKey,
} from '../project/index.js'
import {createRenderer} from '../scaffold/engine.js'
import {formatFiles} from '../scaffold/format.js'
import {INIT_DEFAULTS} from '../scaffold/options.js'
import type {PlannedFile} from '../scaffold/plan.js'
import {
  functionResourcesYaml,
  type HandlerStart,
  type NewRoute,
  routeResourceIds,
  routeResourcesYaml,
} from './resources.js'
import {editRouteList} from './default-route.js'
import {routeOwnedIds, type TemplateRoute, templateRoutes} from './routes.js'
import {projectSettings} from './settings.js'
import {addRouteResources, removeRouteResources} from './template-edit.js'

export type {HandlerStart, NewRoute} from './resources.js'
export type {TemplateRoute} from './routes.js'

function readTemplate(dir: string): string {
  const path = join(dir, TEMPLATE_FILE)
  if (!existsSync(path)) {
    throw new UsageError(
      `No ${TEMPLATE_FILE} in ${dir}: run the command inside a wsapi project (or pass --dir), or create one with \`wsapi init\`.`,
      {code: 'NO_PROJECT'},
    )
  }

  return readFileSync(path, 'utf8')
}

export interface RouteAddOptions {
  key: string
  start: HandlerStart
  twoWay: boolean
}

export interface RouteChange {
  /** Files to write, relative to the project, template.yaml first. */
  files: PlannedFile[]
  /** Files to delete, relative to the project. */
  deleted: string[]
  /** Files left as they are (a handler kept from an earlier route of the same name, or by `remove`). */
  kept: string[]
  route: {file?: string; functionId?: string; key: string; twoWay: boolean}
}

/** Handler files of a route: src/handlers/<file>.ts and test/<file>.test.ts. */
const handlerPath = (file: string) => `src/handlers/${file}.ts`
const testPath = (file: string) => `test/${file}.test.ts`

/** The first `base`, `base2`, `base3`… for which `taken` is false. */
function unique(base: string, taken: (candidate: string) => boolean): string {
  let candidate = base
  for (let n = 2; taken(candidate); n++) candidate = `${base}${n}`
  return candidate
}

/**
 * Everything `wsapi route add` writes, in memory: template.yaml with the route's resources, and the handler and
 * its test (unless files of those names exist, which are kept: a handler kept by `route remove` comes back).
 */
export async function planRouteAdd(dir: string, options: RouteAddOptions): Promise<RouteChange> {
  const {key} = options
  if (key.startsWith('$')) {
    throw new UsageError(
      `Invalid route ${JSON.stringify(key)}: keys starting with "$" are API Gateway's own ($connect, $disconnect, $default); choose a name such as sendmessage.`,
      {
        code: 'INVALID_ROUTE',
      },
    )
  }

  validateRouteKey(key)
  const text = readTemplate(dir)
  const template = parseTemplate(text, TEMPLATE_FILE)
  const routes = templateRoutes(template)
  if (routes.some((route) => route.key === key)) {
    throw new UsageError(
      `Route ${key} already exists in ${TEMPLATE_FILE}: choose another name, or remove it first with \`wsapi route remove ${key}\`.`,
      {code: 'ROUTE_EXISTS'},
    )
  }

  const idTaken = (id: string) =>
    [...routeResourceIds(id).route, ...routeResourceIds(id).function].some(
      (logicalId) => logicalId in template.Resources,
    )
  const id = unique(pascalCase(key), idTaken)
  const codePaths = new Set(Object.values(template.Resources).map((resource) => resource.Properties?.Code))
  const file = unique(
    fileStem(key) || 'route',
    (stem) => codePaths.has(handlerPath(stem)) || ['events', 'setup', 'context'].includes(stem),
  )
  const route: NewRoute = {file, id, key, start: options.start, twoWay: Boolean(options.twoWay)}
  const settings = projectSettings(template)
  const routeIds = routeResourceIds(id).route
  const updated = addRouteResources(text, {
    awaited: [routeIds[0], ...(route.twoWay ? [routeIds[1]] : [])],
    functionYaml: functionResourcesYaml(route, settings),
    key,
    routeYaml: routeResourcesYaml(route),
  })

  // The message that selects the route, shown by the handler's error replies: {"message": "<key>", "data": "hello"} by default.
  const api = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::ApiGatewayV2::Api')
  const expression = parseRouteSelectionExpression(
    String(api?.Properties?.RouteSelectionExpression ?? INIT_DEFAULTS.routeSelection),
  )
  const example = JSON.stringify(exampleMessage(expression, key, {data: 'hello'}) ?? {data: 'hello'})
  const kept = [handlerPath(file), testPath(file)].filter((path) => existsSync(join(dir, path)))
  const render = createRenderer()
  const source = (name: string) => readFileSync(join(TEMPLATES_DIR, name), 'utf8')
  const context = {
    example,
    fanout: route.start === 'broadcast' && settings.fanout ? settings.fanout : false,
    file,
    idAttribute: settings.idAttribute,
    key,
    rateLimit: route.start === 'broadcast' && settings.rateLimit ? settings.rateLimit : false,
    // With rooms, a broadcast route takes "room" and "to" as init's do; a refusal shows how to join.
    rooms:
      route.start === 'broadcast' && settings.rooms
        ? {joinExample: JSON.stringify(exampleMessage(expression, 'join', {room: 'lobby'}) ?? {room: 'lobby'})}
        : false,
    route: {example, file, key},
    tableEnv: settings.tableEnv,
    twoWay: route.twoWay,
  }
  const [handlerTemplate, testTemplate] =
    route.start === 'broadcast'
      ? ['project/src/handlers/[route].ts.hbs', 'project/test/[route].test.ts.hbs']
      : [`route/${route.start}.ts.hbs`, `route/${route.start}.test.ts.hbs`]
  const code = await formatFiles(
    [
      {contents: render(source(handlerTemplate), context, handlerTemplate), path: handlerPath(file)},
      {contents: render(source(testTemplate), context, testTemplate), path: testPath(file)},
    ].filter((planned) => !kept.includes(planned.path)),
  )
  const listed = defaultRouteFiles(dir, routes, {add: key})
  return {
    deleted: [],
    files: [{contents: updated, path: TEMPLATE_FILE}, ...code, ...listed],
    kept,
    route: {file, functionId: `${id}Function`, key, twoWay: route.twoWay},
  }
}

/**
 * The $default handler and its test with `key` added to (or taken from) the routes they list; none when the project
 * has no $default handler or its lists are not the ones init wrote.
 */
function defaultRouteFiles(
  dir: string,
  routes: TemplateRoute[],
  change: {add?: string; remove?: string},
): PlannedFile[] {
  const codePath = routes.find((route) => route.key === '$default')?.codePath
  if (!codePath?.startsWith('src/handlers/')) return []
  const stem = codePath.slice('src/handlers/'.length).replace(/\.ts$/, '')
  const edited = [codePath, testPath(stem)]
    .filter((path) => existsSync(join(dir, path)))
    .map((path) => ({contents: editRouteList(readFileSync(join(dir, path), 'utf8'), change), path}))
    .filter((file): file is PlannedFile => file.contents !== undefined)
  // Both or neither: the test pins the handler's list.
  return edited.length === 2 ? edited : []
}

/** True when a $connect authorizer (or IAM authorization) depends on the route. */
function authorizerNeeds(template: ReturnType<typeof parseTemplate>, route: TemplateRoute): boolean {
  if (route.key !== '$connect' && route.key !== '$disconnect') return false
  const authorizers = Object.values(template.Resources).some(
    (resource) => resource.Type === 'AWS::ApiGatewayV2::Authorizer',
  )
  const connect = Object.values(template.Resources).find(
    (resource) => resource.Type === 'AWS::ApiGatewayV2::Route' && resource.Properties?.RouteKey === '$connect',
  )
  const type = connect?.Properties?.AuthorizationType
  return authorizers || (typeof type === 'string' && type !== 'NONE')
}

export interface RouteRemoveOptions {
  /** Also delete the handler and its test. */
  deleteFiles: boolean
  key: string
}

/** Everything `wsapi route remove` changes, in memory: what `route add` put into template.yaml comes out. */
export function planRouteRemove(dir: string, options: RouteRemoveOptions): RouteChange {
  const text = readTemplate(dir)
  const template = parseTemplate(text, TEMPLATE_FILE)
  const routes = templateRoutes(template)
  const route = routes.find((candidate) => candidate.key === options.key)
  if (!route) {
    const known = routes.map((candidate) => candidate.key).join(', ')
    throw new UsageError(
      `No route ${options.key} in ${TEMPLATE_FILE} (routes: ${known || 'none'}): see \`wsapi route list\`.`,
      {code: 'NO_ROUTE'},
    )
  }

  if (authorizerNeeds(template, route)) {
    throw new UsageError(
      `Cannot remove ${route.key}: the $connect authorization needs $connect and $disconnect; remove the authorizer from ${TEMPLATE_FILE} first.`,
      {code: 'ROUTE_IN_USE'},
    )
  }

  const ids = routeOwnedIds(template, route)
  const updated = removeRouteResources(text, {awaited: [route.logicalId, ...route.responseIds], ids, key: route.key})
  const functionGone = route.functionId !== undefined && ids.includes(route.functionId)
  const file =
    functionGone && route.codePath?.startsWith('src/handlers/')
      ? route.codePath.slice('src/handlers/'.length).replace(/\.(ts|js|mjs)$/, '')
      : undefined
  const own =
    file === undefined ? [] : [handlerPath(file), testPath(file)].filter((path) => existsSync(join(dir, path)))
  return {
    deleted: options.deleteFiles ? own : [],
    files: [{contents: updated, path: TEMPLATE_FILE}, ...defaultRouteFiles(dir, routes, {remove: route.key})],
    kept: options.deleteFiles ? [] : own,
    route: {file, functionId: route.functionId, key: route.key, twoWay: route.twoWay},
  }
}

/** Writes (and deletes) the change's files: template.yaml last, so that a failure leaves the project as it was. */
export function applyRouteChange(dir: string, change: RouteChange): void {
  const ordered = [...change.files.slice(1), change.files[0]]
  try {
    for (const file of ordered) writeFileSync(join(dir, file.path), file.contents)
    for (const path of change.deleted) rmSync(join(dir, path), {force: true})
  } catch (error) {
    throw new WsapiError(`Could not write the project (${(error as Error).message}): check the folder's permissions.`, {
      cause: error,
      code: 'WRITE_FAILED',
    })
  }
}

export interface RouteListing {
  file?: string
  function?: string
  key: string
  twoWay: boolean
}

/** The template's routes: route → function → handler file → one-way or two-way. */
export function listRoutes(dir: string): RouteListing[] {
  const template = parseTemplate(readTemplate(dir), TEMPLATE_FILE)
  return templateRoutes(template).map((route) => ({
    file: route.codePath,
    function: route.functionId,
    key: route.key,
    twoWay: route.twoWay,
  }))
}
