import type {ProjectModel} from '../project/index.js'
import type {LocalTable} from './dynamodb.js'
import {DEFAULT_REGION, type EmulatedStack, LOCAL_ACCOUNT_ID, physicalName, resolveValue} from './environment.js'
import {apiIdFor} from '../apigw/ids.js'
import type {RouteSummary} from './server-types.js'

// The project as wsapi dev serves it: the stack CloudFormation would make of it (names, account, Region, parameters,
// stage variables), its tables under their physical names, and its routes as `wsapi dev` lists them.

export interface StackSettings {
  /** ws://host:port, the API's endpoint. */
  apiEndpoint: string
  /** http://host:port, the dev port's HTTP services. */
  httpEndpoint: string
  /** The template's parameter values. */
  parameters: Record<string, string>
  region?: string
}

/** The stack identity, and the stage's variables resolved against it (undefined when the stage sets none). */
export function emulatedStack(
  project: ProjectModel,
  settings: StackSettings,
): {stack: EmulatedStack; stageVariables?: Record<string, string>} {
  const stack: EmulatedStack = {
    accountId: LOCAL_ACCOUNT_ID,
    apiEndpoint: settings.apiEndpoint,
    apiId: apiIdFor(project.name),
    httpEndpoint: settings.httpEndpoint,
    parameters: settings.parameters,
    region: settings.region ?? DEFAULT_REGION,
    stackName: `${project.name}-${project.stage.name}`,
    stageName: project.stage.name,
    template: project.template,
  }
  const variables = project.template.Resources[project.stage.logicalId]?.Properties?.StageVariables
  if (!variables || typeof variables !== 'object') return {stack}
  const stageVariables = Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, resolveValue(stack, value) ?? '']),
  )
  return {stack, stageVariables}
}

/** The template's tables as the embedded DynamoDB creates them: physical names, and their indexes. */
export function localTables(stack: EmulatedStack, project: ProjectModel): LocalTable[] {
  return project.tables.map((model) => {
    const properties = project.template.Resources[model.logicalId].Properties ?? {}
    return {
      indexes: {
        global: properties.GlobalSecondaryIndexes as unknown[] | undefined,
        local: properties.LocalSecondaryIndexes as unknown[] | undefined,
      },
      model,
      name: physicalName(stack, model.logicalId),
    }
  })
}

/** Each route with its function and its authorizer (the authorizer's function, or AWS_IAM). */
export function routeSummaries(project: ProjectModel): RouteSummary[] {
  return project.routes.map((route) => ({
    authorizer: route.authorizerId
      ? project.authorizers.find((authorizer) => authorizer.logicalId === route.authorizerId)?.functionId
      : route.iam
        ? 'AWS_IAM'
        : undefined,
    functionId: route.functionId,
    key: route.key,
    twoWay: route.twoWay,
  }))
}
