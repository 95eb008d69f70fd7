import {parse as parseYaml, type CollectionTag, type ScalarTag} from 'yaml'

import {UsageError} from '../errors.js'

/** CloudFormation templates in their JSON form (short-form YAML tags are expanded on load). */
export interface CfnResource {
  Condition?: string
  DeletionPolicy?: string
  DependsOn?: string | string[]
  Metadata?: Record<string, unknown>
  Properties?: Record<string, unknown>
  Type: string
  UpdateReplacePolicy?: string
}

export interface CfnParameter {
  AllowedPattern?: string
  AllowedValues?: string[]
  Default?: boolean | number | string
  Description?: string
  NoEcho?: boolean
  Type: string
  [key: string]: unknown
}

export interface CfnTemplate {
  AWSTemplateFormatVersion?: string
  Conditions?: Record<string, unknown>
  Description?: string
  Mappings?: Record<string, unknown>
  Metadata?: Record<string, unknown>
  Outputs?: Record<string, {Description?: string; Export?: unknown; Value: unknown}>
  Parameters?: Record<string, CfnParameter>
  Resources: Record<string, CfnResource>
  Transform?: unknown
}

const FUNCTION_TAGS = [
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'ToJsonString',
  'Length',
]

function cfnTags(): Array<CollectionTag | ScalarTag> {
  const tags: Array<CollectionTag | ScalarTag> = [
    {identify: () => false, resolve: (value: string) => ({Ref: value}), tag: '!Ref'},
    {identify: () => false, resolve: (value: string) => ({Condition: value}), tag: '!Condition'},
    {
      identify: () => false,
      resolve(value: string) {
        const dot = value.indexOf('.')
        return {'Fn::GetAtt': dot === -1 ? [value] : [value.slice(0, dot), value.slice(dot + 1)]}
      },
      tag: '!GetAtt',
    },
    {
      collection: 'seq',
      identify: () => false,
      resolve: (seq: {toJSON(): unknown}) => ({'Fn::GetAtt': seq.toJSON()}),
      tag: '!GetAtt',
    },
  ]
  for (const name of FUNCTION_TAGS) {
    const key = `Fn::${name}`
    tags.push(
      {identify: () => false, resolve: (value: string) => ({[key]: value}), tag: `!${name}`},
      {
        collection: 'seq',
        identify: () => false,
        resolve: (seq: {toJSON(): unknown}) => ({[key]: seq.toJSON()}),
        tag: `!${name}`,
      },
      {
        collection: 'map',
        identify: () => false,
        resolve: (map: {toJSON(): unknown}) => ({[key]: map.toJSON()}),
        tag: `!${name}`,
      },
    )
  }

  return tags
}

/** Parses a CloudFormation YAML (or JSON) template into its JSON form; `file` names it in errors. */
export function parseTemplate(text: string, file: string): CfnTemplate {
  let parsed: unknown
  try {
    parsed = parseYaml(text, {customTags: cfnTags(), intAsBigInt: false, prettyErrors: true, uniqueKeys: true})
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]
    throw new UsageError(`${file} is not valid YAML: ${message}. Fix the file and run the command again.`, {
      code: 'INVALID_TEMPLATE',
      cause: error,
    })
  }

  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${file} is not a CloudFormation template: expected a mapping with a Resources section.`, {
      code: 'INVALID_TEMPLATE',
    })
  }

  const template = parsed as CfnTemplate
  if (template.Resources === null || typeof template.Resources !== 'object' || Array.isArray(template.Resources)) {
    throw new UsageError(`${file} has no Resources section: a CloudFormation template needs one.`, {
      code: 'INVALID_TEMPLATE',
    })
  }

  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource === null || typeof resource !== 'object' || typeof resource.Type !== 'string') {
      throw new UsageError(`${file}: resource ${id} has no Type; give it one such as AWS::Lambda::Function.`, {
        code: 'INVALID_TEMPLATE',
      })
    }
  }

  return template
}

/** A reference from one place in a template to a logical id (a resource, a parameter or a pseudo parameter). */
export interface CfnReference {
  attribute?: string
  kind: 'GetAtt' | 'Ref' | 'Sub'
  target: string
}

const SUB_VARIABLE = /\$\{([^}!][^}]*)\}/g

/** Every Ref, Fn::GetAtt and Fn::Sub variable inside `value`. Sub variables defined in the Sub's own map are skipped. */
export function collectReferences(value: unknown, into: CfnReference[] = []): CfnReference[] {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, into)
    return into
  }

  if (value === null || typeof value !== 'object') return into
  const object = value as Record<string, unknown>
  const keys = Object.keys(object)
  if (keys.length === 1 && keys[0] === 'Ref' && typeof object.Ref === 'string') {
    into.push({kind: 'Ref', target: object.Ref})
    return into
  }

  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const getAtt = object['Fn::GetAtt']
    const [target, attribute] = typeof getAtt === 'string' ? getAtt.split(/\.(.*)/s) : (getAtt as unknown[])
    if (typeof target === 'string')
      into.push({attribute: typeof attribute === 'string' ? attribute : undefined, kind: 'GetAtt', target})
    else collectReferences(getAtt, into)
    return into
  }

  if (keys.length === 1 && keys[0] === 'Fn::Sub') {
    const sub = object['Fn::Sub']
    const [text, variables] =
      typeof sub === 'string' ? [sub, {}] : Array.isArray(sub) ? [sub[0], sub[1] ?? {}] : [undefined, {}]
    if (typeof text === 'string') {
      for (const match of text.matchAll(SUB_VARIABLE)) {
        const [target, attribute] = match[1].split(/\.(.*)/s)
        if (Object.hasOwn(variables as object, match[1])) continue
        into.push({attribute: attribute || undefined, kind: 'Sub', target})
      }
    }

    collectReferences(variables, into)
    return into
  }

  for (const item of Object.values(object)) collectReferences(item, into)
  return into
}

export function isPseudoParameter(name: string): boolean {
  return name.startsWith('AWS::')
}

/** The logical ids a resource depends on through DependsOn. */
export function dependsOn(resource: CfnResource): string[] {
  if (resource.DependsOn === undefined) return []
  return Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn]
}

function renameInValue(value: unknown, from: string, to: string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameInValue(item, from, to))
  if (value === null || typeof value !== 'object') return value
  const object = value as Record<string, unknown>
  const keys = Object.keys(object)
  if (keys.length === 1 && keys[0] === 'Ref') return object.Ref === from ? {Ref: to} : object
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const getAtt = object['Fn::GetAtt']
    if (typeof getAtt === 'string')
      return {'Fn::GetAtt': getAtt === from || getAtt.startsWith(`${from}.`) ? to + getAtt.slice(from.length) : getAtt}
    if (Array.isArray(getAtt) && getAtt[0] === from) return {'Fn::GetAtt': [to, ...getAtt.slice(1)]}
    return object
  }

  if (keys.length === 1 && keys[0] === 'Fn::Sub') {
    const rewrite = (text: string) =>
      text.replaceAll(SUB_VARIABLE, (whole, name: string) =>
        name === from || name.startsWith(`${from}.`) ? `\${${to}${name.slice(from.length)}}` : whole,
      )
    const sub = object['Fn::Sub']
    if (typeof sub === 'string') return {'Fn::Sub': rewrite(sub)}
    if (Array.isArray(sub) && typeof sub[0] === 'string') {
      const variables = (sub[1] ?? {}) as Record<string, unknown>
      const text = Object.hasOwn(variables, from) ? sub[0] : rewrite(sub[0])
      return {'Fn::Sub': [text, renameInValue(variables, from, to)]}
    }
  }

  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, renameInValue(item, from, to)]))
}

/** A copy of `template` in which resource `from` is called `to`, with every reference to it rewritten. */
export function renameLogicalId(template: CfnTemplate, from: string, to: string): CfnTemplate {
  if (from === to) return template
  const resources: Record<string, CfnResource> = {}
  for (const [id, resource] of Object.entries(template.Resources)) {
    const renamed = renameInValue(resource, from, to) as CfnResource
    if (resource.DependsOn !== undefined) {
      const list = dependsOn(resource).map((name) => (name === from ? to : name))
      renamed.DependsOn = Array.isArray(resource.DependsOn) ? list : list[0]
    }

    resources[id === from ? to : id] = renamed
  }

  return {
    ...template,
    Outputs: renameInValue(template.Outputs, from, to) as CfnTemplate['Outputs'],
    Resources: resources,
  }
}
