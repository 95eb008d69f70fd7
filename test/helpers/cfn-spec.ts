import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join, dirname} from 'node:path'
import {gunzipSync} from 'node:zlib'

import {type CfnTemplate, collectReferences, dependsOn, isPseudoParameter} from '../../src/lib/project/index.js'

/**
 * Checks a template against the CloudFormation resource specification that @aws-cdk/aws-service-spec
 * ships: resource types, property names and types, required properties, and that every Ref, GetAtt,
 * Sub variable and DependsOn names something that exists (GetAtt: an attribute the type has).
 */

interface SpecType {
  element?: SpecType
  reference?: {$ref: string}
  type: string
  types?: SpecType[]
}

interface SpecProperty {
  required?: boolean
  type: SpecType
}

interface SpecResource {
  attributes: Record<string, unknown>
  cloudFormationType: string
  properties: Record<string, SpecProperty>
}

interface SpecTypeDefinition {
  $id: string
  name: string
  properties: Record<string, SpecProperty>
}

interface Spec {
  resources: Map<string, SpecResource>
  types: Map<string, SpecTypeDefinition>
}

let spec: Spec | undefined

function loadSpec(): Spec {
  if (spec) return spec
  const require = createRequire(import.meta.url)
  const path = join(dirname(require.resolve('@aws-cdk/aws-service-spec/package.json')), 'db.json.gz')
  const db = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'))
  const resources = new Map<string, SpecResource>()
  for (const resource of Object.values(db.schema.resource.entities) as SpecResource[])
    resources.set(resource.cloudFormationType, resource)
  const types = new Map<string, SpecTypeDefinition>()
  for (const type of Object.values(db.schema.typeDefinition.entities) as SpecTypeDefinition[]) types.set(type.$id, type)
  spec = {resources, types}
  return spec
}

/** Properties `aws cloudformation package` accepts as a local path in place of their normal type. */
const PACKAGEABLE = new Set(['AWS::Lambda::Function.Code'])

function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const keys = Object.keys(value)
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')
}

function checkValue(value: unknown, type: SpecType, path: string, errors: string[]): void {
  if (isIntrinsic(value)) return
  switch (type.type) {
    case 'string':
    case 'date-time': {
      if (typeof value !== 'string' && typeof value !== 'number')
        errors.push(`${path}: expected a string, got ${JSON.stringify(value)}`)
      return
    }

    case 'integer':
    case 'number': {
      if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)))
        errors.push(`${path}: expected a number, got ${JSON.stringify(value)}`)
      if (type.type === 'integer' && typeof value === 'number' && !Number.isInteger(value))
        errors.push(`${path}: expected an integer`)
      return
    }

    case 'boolean': {
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false')
        errors.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`)
      return
    }

    case 'json': {
      return
    }

    case 'array': {
      if (!Array.isArray(value)) {
        errors.push(`${path}: expected a list, got ${JSON.stringify(value)}`)
        return
      }

      for (const [index, item] of value.entries()) checkValue(item, type.element!, `${path}[${index}]`, errors)
      return
    }

    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        errors.push(`${path}: expected a map`)
        return
      }

      for (const [key, item] of Object.entries(value)) checkValue(item, type.element!, `${path}.${key}`, errors)
      return
    }

    case 'tag': {
      if (value === null || typeof value !== 'object' || !('Key' in value) || !('Value' in value))
        errors.push(`${path}: expected a {Key, Value} tag`)
      return
    }

    case 'union': {
      const attempts = type.types!.map((candidate) => {
        const found: string[] = []
        checkValue(value, candidate, path, found)
        return found
      })
      if (!attempts.some((found) => found.length === 0)) errors.push(...attempts[0])
      return
    }

    case 'ref': {
      const definition = loadSpec().types.get(type.reference!.$ref)
      if (!definition) throw new Error(`spec has no type ${type.reference!.$ref}`)
      checkObject(value, definition.properties, `${path}`, errors)
      return
    }

    default: {
      throw new Error(`unknown spec type ${type.type} at ${path}`)
    }
  }
}

function checkObject(value: unknown, properties: Record<string, SpecProperty>, path: string, errors: string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    errors.push(`${path}: expected an object, got ${JSON.stringify(value)}`)
    return
  }

  for (const [name, item] of Object.entries(value)) {
    const property = properties[name]
    if (!property) {
      errors.push(`${path}.${name}: no such property (known: ${Object.keys(properties).sort().join(', ')})`)
      continue
    }

    checkValue(item, property.type, `${path}.${name}`, errors)
  }

  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) errors.push(`${path}: required property ${name} is missing`)
  }
}

export function validateAgainstSpec(template: CfnTemplate, options: {allowLocalCode?: boolean} = {}): string[] {
  const {resources} = loadSpec()
  const errors: string[] = []
  if (template.Transform !== undefined) errors.push('Transform: the template must be plain CloudFormation')
  const parameters = new Set(Object.keys(template.Parameters ?? {}))
  for (const [id, resource] of Object.entries(template.Resources)) {
    const type = resources.get(resource.Type)
    if (!type) {
      errors.push(`${id}: unknown resource type ${resource.Type}`)
      continue
    }

    const properties = {...resource.Properties}
    const found: string[] = []
    checkObject(properties, type.properties, `${id}.Properties`, found)
    // `aws cloudformation package` takes a local path in place of some properties (Lambda Code).
    const local = (name: string) =>
      options.allowLocalCode && PACKAGEABLE.has(`${resource.Type}.${name}`) && typeof properties[name] === 'string'
    errors.push(
      ...found.filter(
        (error) =>
          !Object.keys(properties).some((name) => local(name) && error.startsWith(`${id}.Properties.${name}:`)),
      ),
    )
    for (const target of dependsOn(resource)) {
      if (!template.Resources[target]) errors.push(`${id}.DependsOn: no resource ${target}`)
    }
  }

  const scopes: Array<[string, unknown]> = [
    ...Object.entries(template.Resources).map(([id, resource]): [string, unknown] => [id, resource.Properties]),
    ...Object.entries(template.Outputs ?? {}).map(([id, output]): [string, unknown] => [`Outputs.${id}`, output]),
  ]
  for (const [where, value] of scopes) {
    for (const reference of collectReferences(value)) {
      const {attribute, kind, target} = reference
      if (isPseudoParameter(target)) {
        if (
          ![
            'AWS::AccountId',
            'AWS::NotificationARNs',
            'AWS::NoValue',
            'AWS::Partition',
            'AWS::Region',
            'AWS::StackId',
            'AWS::StackName',
            'AWS::URLSuffix',
          ].includes(target)
        ) {
          errors.push(`${where}: unknown pseudo parameter ${target}`)
        }

        continue
      }

      const resource = template.Resources[target]
      if (!resource) {
        if (!(parameters.has(target) && (kind === 'Ref' || (kind === 'Sub' && attribute === undefined))))
          errors.push(`${where}: ${kind} to ${target}${attribute ? '.' + attribute : ''}, which does not exist`)
        continue
      }

      if (attribute !== undefined || kind === 'GetAtt') {
        const type = resources.get(resource.Type)
        if (type && !(attribute! in type.attributes))
          errors.push(`${where}: ${target} (${resource.Type}) has no attribute ${attribute}`)
      }
    }
  }

  return errors
}
