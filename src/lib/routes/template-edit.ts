import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Pair,
  parseDocument,
  Scalar,
  visit,
  type YAMLMap,
  YAMLSeq,
} from 'yaml'

import {UsageError} from '../errors.js'
import {
  type CfnTemplate,
  collectReferences,
  dependsOn,
  deploymentLogicalId,
  parseTemplate,
  TEMPLATE_FILE,
} from '../project/index.js'

/** How the edited document is written back: as it was read (no folding, flow collections as Prettier writes them). */
const STRINGIFY_OPTIONS = {flowCollectionPadding: false, lineWidth: 0} as const

const ROUTE_GROUP_TYPES = new Set([
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::RouteResponse',
  'AWS::Lambda::Permission',
])
const FUNCTION_GROUP_TYPES = new Set(['AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup'])

type ResourcePair = Pair<Scalar<string>, YAMLMap>

export function parseTemplateDocument(text: string): Document {
  const document = parseDocument(text, {keepSourceTokens: false, uniqueKeys: true})
  if (document.errors.length > 0) {
    throw new UsageError(
      `${TEMPLATE_FILE} is not valid YAML: ${document.errors[0].message.split('\n')[0]}. Fix the file and run the command again.`,
      {code: 'INVALID_TEMPLATE'},
    )
  }

  return document
}

export function stringifyTemplateDocument(document: Document): string {
  return document.toString(STRINGIFY_OPTIONS)
}

function resourcesMap(document: Document): YAMLMap {
  const resources = document.get('Resources', true)
  if (!isMap(resources))
    throw new UsageError(`${TEMPLATE_FILE} has no Resources section: a CloudFormation template needs one.`, {
      code: 'INVALID_TEMPLATE',
    })
  return resources as YAMLMap
}

const pairId = (pair: Pair) => String(isScalar(pair.key) ? pair.key.value : pair.key)
const pairType = (pair: Pair) => (isMap(pair.value) ? String(pair.value.get('Type') ?? '') : '')

/** The pairs of `yaml` (resources, indented as under Resources), each with its comments and the blank line before the first. */
function fragmentPairs(yaml: string): ResourcePair[] {
  const indented = yaml
    .trimEnd()
    .split('\n')
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n')
  // A first key, so that the fragment's leading comment belongs to its first resource, not to the document.
  const fragment = parseTemplateDocument(`Resources:\n  Anchor: 0\n\n${indented}\n`)
  return (resourcesMap(fragment).items as ResourcePair[]).slice(1)
}

/** Inserts `pairs` after the last resource of one of `types` (or at the end), with a blank line before them. */
function insertAfterLast(resources: YAMLMap, types: Set<string>, pairs: ResourcePair[]): void {
  const items = resources.items as Pair[]
  let index = items.length
  for (let i = items.length - 1; i >= 0; i--) {
    if (types.has(pairType(items[i]))) {
      index = i + 1
      break
    }
  }

  pairs[0].key.spaceBefore = true
  items.splice(index, 0, ...pairs)
}

function deploymentPair(resources: YAMLMap): Pair | undefined {
  const deployments = (resources.items as Pair[]).filter((pair) => pairType(pair) === 'AWS::ApiGatewayV2::Deployment')
  return deployments.length === 1 ? deployments[0] : undefined
}

/** Rewrites every reference to `from` (Ref, GetAtt, Sub, DependsOn) as `to`. */
function renameReferences(document: Document, from: string, to: string): void {
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return
      if (node.value === from) node.value = to
      else if (node.value.startsWith(`${from}.`)) node.value = `${to}${node.value.slice(from.length)}`
      else if (node.value.includes(`\${${from}`))
        node.value = node.value.replaceAll(`\${${from}}`, `\${${to}}`).replaceAll(`\${${from}.`, `\${${to}.`)
    },
  })
}

/** Names the deployment after a hash of what it snapshots, as `wsapi build` does (src/lib/project/deployment.ts). */
function rehashDeployment(document: Document): void {
  const resources = resourcesMap(document)
  const deployment = deploymentPair(resources)
  if (!deployment || !isScalar(deployment.key)) return
  const from = String(deployment.key.value)
  const to = deploymentLogicalId(parseTemplate(stringifyTemplateDocument(document), TEMPLATE_FILE))
  if (from === to) return
  renameReferences(document, from, to)
}

/** Adds to (or takes from) the deployment's DependsOn and its `Routes …` description. */
function updateDeployment(
  resources: YAMLMap,
  change: {add?: {dependsOn: string[]; key: string}; remove?: {dependsOn: string[]; key: string}},
): void {
  const deployment = deploymentPair(resources)
  if (!deployment || !isMap(deployment.value)) return
  const body = deployment.value as YAMLMap
  let waits: unknown = body.get('DependsOn', true)
  if (change.add) {
    if (waits === undefined) {
      waits = new YAMLSeq()
      body.set('DependsOn', waits)
    } else if (isScalar(waits)) {
      const list = new YAMLSeq()
      list.items.push(waits)
      body.set('DependsOn', list)
      waits = list
    }

    if (isSeq(waits)) for (const id of change.add.dependsOn) waits.items.push(new Scalar(id))
  }

  if (change.remove && isSeq(waits)) {
    const removed = new Set(change.remove.dependsOn)
    waits.items = waits.items.filter((item) => !(isScalar(item) && removed.has(String(item.value))))
  }

  const properties = body.get('Properties', true)
  const description = isMap(properties) ? properties.get('Description', true) : undefined
  if (isScalar(description) && typeof description.value === 'string' && description.value.startsWith('Routes ')) {
    const keys = description.value.slice('Routes '.length).split(', ')
    if (change.add) keys.push(change.add.key)
    const at = change.remove ? keys.lastIndexOf(change.remove.key) : -1
    if (at !== -1) keys.splice(at, 1)
    description.value = `Routes ${keys.join(', ')}`
  }
}

export interface AddedResources {
  /** YAML of the function's Function, LogGroup and Role (resources.ts). */
  functionYaml: string
  /** Logical ids the deployment must wait for: the Route, and the RouteResponse of a two-way route. */
  awaited: string[]
  key: string
  /** YAML of the route's Route, RouteResponse, Integration and Permission (resources.ts). */
  routeYaml: string
}

/**
 * Adds a route's resources to the template's text: the route's next to the other routes, its function's next to
 * the other functions, and the deployment renamed and waiting for the route. Everything else in the document
 * (comments, formatting, the user's own edits) is written back as it was read.
 */
export function addRouteResources(text: string, added: AddedResources): string {
  const document = parseTemplateDocument(text)
  const resources = resourcesMap(document)
  const routePairs = fragmentPairs(added.routeYaml)
  const functionPairs = fragmentPairs(added.functionYaml)
  const taken = [...routePairs, ...functionPairs].map((pair) => pairId(pair)).filter((id) => resources.has(id))
  if (taken.length > 0)
    throw new UsageError(
      `${TEMPLATE_FILE} already has a resource named ${taken[0]}: rename it, or choose another route name.`,
      {code: 'ROUTE_EXISTS'},
    )
  insertAfterLast(resources, ROUTE_GROUP_TYPES, routePairs)
  insertAfterLast(resources, FUNCTION_GROUP_TYPES, functionPairs)
  updateDeployment(resources, {add: {dependsOn: added.awaited, key: added.key}})
  rehashDeployment(document)
  return stringifyTemplateDocument(document)
}

export interface RemovedResources {
  /** The deployment's DependsOn entries that go with them. */
  awaited: string[]
  ids: string[]
  key: string
}

/**
 * Takes the resources `ids` out of the template's text, and the route out of the deployment; refuses when
 * anything left refers to one of them (a user's output or policy), naming it.
 */
export function removeRouteResources(text: string, removed: RemovedResources): string {
  const template: CfnTemplate = parseTemplate(text, TEMPLATE_FILE)
  const gone = new Set(removed.ids)
  const refersToRemoved = (resource: CfnTemplate['Resources'][string]) =>
    collectReferences({...resource, DependsOn: undefined}).some((reference) => gone.has(reference.target)) ||
    dependsOn(resource).some((wait) => gone.has(wait) && !removed.awaited.includes(wait))
  const referrers = [
    ...Object.entries(template.Resources)
      .filter(([id, resource]) => !gone.has(id) && refersToRemoved(resource))
      .map(([id]) => `resource ${id}`),
    ...Object.entries(template.Outputs ?? {})
      .filter(([, output]) => collectReferences(output).some((reference) => gone.has(reference.target)))
      .map(([id]) => `output ${id}`),
  ]
  if (referrers.length > 0) {
    throw new UsageError(
      `Cannot remove route ${removed.key}: ${referrers[0]} in ${TEMPLATE_FILE} refers to its resources; remove that reference first.`,
      {code: 'ROUTE_IN_USE'},
    )
  }

  const document = parseTemplateDocument(text)
  const resources = resourcesMap(document)
  resources.items = (resources.items as Pair[]).filter((pair) => !gone.has(pairId(pair)))
  updateDeployment(resources, {remove: {dependsOn: removed.awaited, key: removed.key}})
  rehashDeployment(document)
  return stringifyTemplateDocument(document)
}
