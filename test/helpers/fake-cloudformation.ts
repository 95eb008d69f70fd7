import {randomUUID} from 'node:crypto'

import type {CfnTemplate} from '../../src/lib/project/index.js'

/**
 * An in-memory CloudFormation that answers with the shapes and sequences AWS uses: change sets that go
 * CREATE_PENDING → CREATE_IN_PROGRESS → CREATE_COMPLETE (or FAILED with AWS's "didn't contain changes"
 * text), stacks in REVIEW_IN_PROGRESS until a CREATE change set runs, operations that advance one step per
 * DescribeStacks call, events newest first in pages with NextToken, resources created two at a time
 * (so a failure cancels its neighbour, as in AWS), rollbacks, DELETE_FAILED, NoEcho values as ****.
 * Inputs and outputs are the SDK's PascalCase shapes: tests plug it into aws-sdk-client-mock, and
 * fake-aws-server.ts serves it over HTTP (awsQuery) to a spawned CLI.
 */

export class SimError extends Error {
  $fault: 'client' | 'server'
  $metadata: {httpStatusCode: number}

  constructor(code: string, message: string, status = 400) {
    super(message)
    this.name = code
    this.$fault = status >= 500 ? 'server' : 'client'
    this.$metadata = {httpStatusCode: status}
  }
}

export interface SimEvent {
  EventId: string
  LogicalResourceId: string
  PhysicalResourceId?: string
  ResourceStatus: string
  ResourceStatusReason?: string
  ResourceType: string
  StackId: string
  StackName: string
  Timestamp: Date
}

interface SimResource {
  logicalId: string
  physicalId: string
  properties: unknown
  status: string
  statusReason?: string
  type: string
  updated: Date
}

interface SimChangeSet {
  changes: Array<{
    Action: string
    LogicalResourceId: string
    PhysicalResourceId?: string
    Replacement?: string
    ResourceType: string
  }>
  describeCount: number
  executionStatus: string
  id: string
  name: string
  parameters: Record<string, string>
  stackId: string
  status: string
  statusReason?: string
  tags: Array<{Key: string; Value: string}>
  template: CfnTemplate
  type: 'CREATE' | 'UPDATE'
}

interface SimStack {
  changeSetId?: string
  changeSets: Map<string, SimChangeSet>
  creationTime: Date
  deletionTime?: Date
  events: SimEvent[]
  lastUpdatedTime?: Date
  operation?: AsyncGenerator<void, void, void>
  parameters: Record<string, string>
  resources: SimResource[]
  stackId: string
  stackName: string
  status: string
  statusReason?: string
  tags: Array<{Key: string; Value: string}>
  template?: CfnTemplate
}

export interface FakeCloudFormationOptions {
  account?: string
  /** Called when the stack creates an AWS::S3::Bucket (so a local S3 can make it). */
  createBucket?: (name: string) => Promise<void>
  /** Reads a TemplateURL; without it, TemplateURL is refused. */
  fetchTemplate?: (url: string) => Promise<string>
  /** Checks a Lambda function's Code.S3Bucket/S3Key; a missing object fails the function like AWS does. */
  objectExists?: (bucket: string, key: string) => Promise<boolean>
  /** DescribeStackEvents / DescribeChangeSet / ListStackResources page size. AWS uses up to 100; small pages test paging. */
  pageSize?: number
  region?: string
}

type Input = Record<string, unknown>

const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set."

export class FakeCloudFormation {
  /** Every call, in order: action and input. */
  readonly calls: Array<{action: string; input: Input}> = []
  /** Resources that fail when created or updated next, with the reason AWS gives. */
  readonly failOnApply = new Map<string, string>()
  /** Resources that fail when deleted, with the reason. */
  readonly failOnDelete = new Map<string, string>()
  readonly stacks: SimStack[] = []
  /** The next change set fails with this reason (e.g. a template error CloudFormation finds). */
  changeSetFailure: string | undefined
  private clock = Date.parse('2026-03-01T10:00:00Z')
  private readonly injected = new Map<string, Array<() => Error>>()

  constructor(readonly options: FakeCloudFormationOptions = {}) {}

  get account(): string {
    return this.options.account ?? '123456789012'
  }

  get region(): string {
    return this.options.region ?? 'eu-west-1'
  }

  /** The next `times` calls of `action` throw (e.g. Throttling, ExpiredToken). */
  inject(action: string, error: () => Error, times = 1): void {
    const list = this.injected.get(action) ?? []
    for (let i = 0; i < times; i++) list.push(error)
    this.injected.set(action, list)
  }

  /** Calls of one action. */
  callsOf(action: string): Input[] {
    return this.calls.filter((call) => call.action === action).map((call) => call.input)
  }

  /** The live (not deleted) stack of that name. */
  stack(name: string): SimStack | undefined {
    return this.stacks.find((stack) => stack.stackName === name && stack.status !== 'DELETE_COMPLETE')
  }

  /** Someone else starts an update of the stack: it runs for a few DescribeStacks calls, then completes. */
  startForeignUpdate(name: string): void {
    this.stack(name)!.operation = this.finishRunningOperation(this.stack(name)!, 'UPDATE')
  }

  /** Puts a stack in place as if an earlier run had left it so. */
  seedStack(
    name: string,
    status: string,
    options: {parameters?: Record<string, string>; tags?: Record<string, string>; template?: CfnTemplate} = {},
  ): SimStack {
    const stack = this.newStack(name)
    stack.status = status
    stack.tags = Object.entries(options.tags ?? {}).map(([Key, Value]) => ({Key, Value}))
    stack.template = options.template
    stack.parameters = options.parameters ?? {}
    this.event(stack, stack.stackName, 'AWS::CloudFormation::Stack', status, 'User Initiated', stack.stackId)
    if (options.template && !status.startsWith('REVIEW') && status !== 'ROLLBACK_COMPLETE') {
      stack.resources = Object.entries(options.template.Resources).map(([logicalId, resource]) => ({
        logicalId,
        physicalId: this.physicalId(stack, logicalId, resource.Type, resource.Properties ?? {}),
        properties: resource.Properties ?? {},
        status: 'CREATE_COMPLETE',
        type: resource.Type,
        updated: this.tick(),
      }))
    }

    return stack
  }

  async handle(action: string, input: Input): Promise<unknown> {
    this.calls.push({action, input})
    const injected = this.injected.get(action)?.shift()
    if (injected) throw injected()
    switch (action) {
      case 'CreateChangeSet': {
        return this.createChangeSet(input)
      }

      case 'DeleteChangeSet': {
        return this.deleteChangeSet(input)
      }

      case 'DeleteStack': {
        return this.deleteStack(input)
      }

      case 'DescribeChangeSet': {
        return this.describeChangeSet(input)
      }

      case 'DescribeStackEvents': {
        return this.describeStackEvents(input)
      }

      case 'DescribeStacks': {
        return this.describeStacks(input)
      }

      case 'ExecuteChangeSet': {
        return this.executeChangeSet(input)
      }

      case 'GetCallerIdentity': {
        return {Account: this.account, Arn: `arn:aws:iam::${this.account}:user/dev`, UserId: 'AIDAEXAMPLE'}
      }

      case 'ListStackResources': {
        return this.listStackResources(input)
      }

      default: {
        throw new SimError('InvalidAction', `Could not find operation ${action}`)
      }
    }
  }

  private async createChangeSet(input: Input) {
    const name = String(input.StackName)
    const type = (input.ChangeSetType ?? 'UPDATE') as 'CREATE' | 'UPDATE'
    let stack = this.stack(name)
    if (type === 'UPDATE' && !stack) throw new SimError('ValidationError', `Stack [${name}] does not exist`)
    if (type === 'CREATE' && stack && stack.status !== 'REVIEW_IN_PROGRESS') {
      throw new SimError(
        'ValidationError',
        `Stack [${name}] already exists and cannot be created again with the changeSet [${String(input.ChangeSetName)}].`,
      )
    }

    if (stack && stack.operation)
      throw new SimError(
        'ValidationError',
        `Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`,
      )
    let body: string
    if (typeof input.TemplateBody === 'string') body = input.TemplateBody
    else if (typeof input.TemplateURL === 'string') {
      if (!this.options.fetchTemplate) throw new SimError('ValidationError', 'TemplateURL must be a supported URL.')
      body = await this.options.fetchTemplate(input.TemplateURL)
    } else throw new SimError('ValidationError', 'Either Template URL or Template Body must be specified.')
    if (Buffer.byteLength(body) > 51_200 && typeof input.TemplateBody === 'string') {
      throw new SimError(
        'ValidationError',
        "1 validation error detected: Value '…' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200",
      )
    }

    const template = JSON.parse(body) as CfnTemplate
    // As AWS: IAM resources need CAPABILITY_IAM (or CAPABILITY_NAMED_IAM when one has a custom name).
    const capabilities = (input.Capabilities ?? []) as string[]
    const iam = Object.values(template.Resources ?? {}).filter((resource) => resource.Type.startsWith('AWS::IAM::'))
    const named = iam.some(
      (resource) => resource.Properties?.RoleName !== undefined || resource.Properties?.UserName !== undefined,
    )
    if (named && !capabilities.includes('CAPABILITY_NAMED_IAM'))
      throw new SimError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_NAMED_IAM]')
    if (iam.length > 0 && !capabilities.includes('CAPABILITY_IAM') && !capabilities.includes('CAPABILITY_NAMED_IAM')) {
      throw new SimError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_IAM]')
    }

    const given = (input.Parameters ?? []) as Array<{
      ParameterKey: string
      ParameterValue?: string
      UsePreviousValue?: boolean
    }>
    const parameters: Record<string, string> = {}
    for (const [key, declared] of Object.entries(template.Parameters ?? {})) {
      const entry = given.find((item) => item.ParameterKey === key)
      if (entry?.UsePreviousValue) {
        if (!stack || stack.status === 'REVIEW_IN_PROGRESS' || !(key in stack.parameters)) {
          throw new SimError(
            'ValidationError',
            `Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`,
          )
        }

        parameters[key] = stack.parameters[key]
      } else if (entry?.ParameterValue !== undefined) parameters[key] = entry.ParameterValue
      else if (declared.Default !== undefined) parameters[key] = String(declared.Default)
    }

    const missing = Object.keys(template.Parameters ?? {}).filter((key) => !(key in parameters))
    if (missing.length > 0)
      throw new SimError('ValidationError', `Parameters: [${missing.join(', ')}] must have values`)
    for (const entry of given) {
      if (!template.Parameters?.[entry.ParameterKey])
        throw new SimError('ValidationError', `Parameters: [${entry.ParameterKey}] do not exist in the template`)
    }

    if (!stack) {
      stack = this.newStack(name)
      stack.status = 'REVIEW_IN_PROGRESS'
      this.event(stack, name, 'AWS::CloudFormation::Stack', 'REVIEW_IN_PROGRESS', 'User Initiated', stack.stackId)
    }

    const changes = this.diff(stack, template, parameters)
    const tags = (input.Tags ?? []) as Array<{Key: string; Value: string}>
    const unchanged =
      type === 'UPDATE' &&
      changes.length === 0 &&
      JSON.stringify(stack.parameters) === JSON.stringify(parameters) &&
      JSON.stringify(stack.template?.Outputs ?? {}) === JSON.stringify(template.Outputs ?? {}) &&
      JSON.stringify(stack.tags) === JSON.stringify(tags)
    const changeSet: SimChangeSet = {
      changes,
      describeCount: 0,
      executionStatus: 'UNAVAILABLE',
      id: `arn:aws:cloudformation:${this.region}:${this.account}:changeSet/${String(input.ChangeSetName)}/${randomUUID()}`,
      name: String(input.ChangeSetName),
      parameters,
      stackId: stack.stackId,
      status: unchanged || this.changeSetFailure ? 'FAILED' : 'CREATE_COMPLETE',
      statusReason: this.changeSetFailure ?? (unchanged ? NO_CHANGES : undefined),
      tags,
      template,
      type,
    }
    this.changeSetFailure = undefined
    stack.changeSets.set(changeSet.id, changeSet)
    return {Id: changeSet.id, StackId: stack.stackId}
  }

  private deleteChangeSet(input: Input) {
    const changeSet = this.findChangeSet(String(input.ChangeSetName))
    this.stackById(changeSet.stackId)!.changeSets.delete(changeSet.id)
    return {}
  }

  private async *deleteOperation(stack: SimStack, retain: string[]): AsyncGenerator<void, void, void> {
    stack.status = 'DELETE_IN_PROGRESS'
    stack.deletionTime = this.tick()
    this.event(
      stack,
      stack.stackName,
      'AWS::CloudFormation::Stack',
      'DELETE_IN_PROGRESS',
      'User Initiated',
      stack.stackId,
    )
    yield
    const failed: string[] = []
    for (const resource of [...stack.resources].reverse()) {
      if (resource.status === 'DELETE_COMPLETE') continue
      const policy = stack.template?.Resources[resource.logicalId]?.DeletionPolicy
      if (retain.includes(resource.logicalId) || policy === 'Retain') {
        resource.status = 'DELETE_SKIPPED'
        this.event(stack, resource.logicalId, resource.type, 'DELETE_SKIPPED', undefined, resource.physicalId)
        continue
      }

      this.event(stack, resource.logicalId, resource.type, 'DELETE_IN_PROGRESS', undefined, resource.physicalId)
      yield
      const reason = this.failOnDelete.get(resource.logicalId)
      resource.status = reason ? 'DELETE_FAILED' : 'DELETE_COMPLETE'
      resource.statusReason = reason
      if (reason) failed.push(resource.logicalId)
      this.event(stack, resource.logicalId, resource.type, resource.status, reason, resource.physicalId)
    }

    if (failed.length > 0) {
      stack.status = 'DELETE_FAILED'
      stack.statusReason = `The following resource(s) failed to delete: [${failed.join(', ')}]. `
      this.event(
        stack,
        stack.stackName,
        'AWS::CloudFormation::Stack',
        'DELETE_FAILED',
        stack.statusReason,
        stack.stackId,
      )
      stack.resources = stack.resources.filter((resource) => resource.status === 'DELETE_FAILED')
      return
    }

    stack.status = 'DELETE_COMPLETE'
    stack.statusReason = undefined
    stack.resources = []
    this.event(stack, stack.stackName, 'AWS::CloudFormation::Stack', 'DELETE_COMPLETE', undefined, stack.stackId)
  }

  private deleteStack(input: Input) {
    const stack = this.findStack(String(input.StackName))
    if (!stack || stack.status === 'DELETE_COMPLETE') return {}
    const retain = (input.RetainResources ?? []) as string[]
    if (retain.length > 0 && stack.status !== 'DELETE_FAILED') {
      throw new SimError(
        'ValidationError',
        `Invalid operation on stack [${stack.stackId}]. RetainResources can only be specified when resources are in DELETE_FAILED state.`,
      )
    }

    if (stack.operation)
      throw new SimError(
        'ValidationError',
        `Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`,
      )
    stack.operation = this.deleteOperation(stack, retain)
    return {}
  }

  private describeChangeSet(input: Input) {
    const changeSet = this.findChangeSet(String(input.ChangeSetName))
    changeSet.describeCount++
    // As AWS: pending, then in progress, then the outcome.
    const status =
      changeSet.describeCount === 1
        ? 'CREATE_PENDING'
        : changeSet.describeCount === 2
          ? 'CREATE_IN_PROGRESS'
          : changeSet.status
    const settled = status === changeSet.status
    const start = Number(input.NextToken ?? 0)
    const size = this.options.pageSize ?? 5
    const page = settled ? changeSet.changes.slice(start, start + size) : []
    return {
      ChangeSetId: changeSet.id,
      ChangeSetName: changeSet.name,
      Changes: page.map((change) => ({ResourceChange: change, Type: 'Resource'})),
      CreationTime: new Date(this.clock),
      ExecutionStatus: settled && status === 'CREATE_COMPLETE' ? 'AVAILABLE' : changeSet.executionStatus,
      NextToken: settled && start + size < changeSet.changes.length ? String(start + size) : undefined,
      Parameters: Object.entries(changeSet.parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue: this.shown(changeSet.template, ParameterKey, ParameterValue),
      })),
      StackId: changeSet.stackId,
      StackName: this.stackById(changeSet.stackId)?.stackName,
      Status: status,
      StatusReason: settled ? changeSet.statusReason : undefined,
    }
  }

  private describeStackEvents(input: Input) {
    const stack = this.findStack(String(input.StackName))
    if (!stack) throw new SimError('ValidationError', `Stack [${String(input.StackName)}] does not exist`)
    const newestFirst = [...stack.events].reverse()
    // The token names the last event returned, so new events arriving between pages do not shift them.
    const start =
      input.NextToken === undefined ? 0 : newestFirst.findIndex((event) => event.EventId === input.NextToken) + 1
    const size = this.options.pageSize ?? 5
    const page = newestFirst.slice(start, start + size)
    return {NextToken: start + size < newestFirst.length ? page.at(-1)!.EventId : undefined, StackEvents: page}
  }

  private async describeStacks(input: Input) {
    const name = String(input.StackName)
    const stack = this.findStack(name)
    if (!stack) throw new SimError('ValidationError', `Stack with id ${name} does not exist`)
    if (stack.operation) {
      const step = await stack.operation.next()
      if (step.done) stack.operation = undefined
    }

    return {
      Stacks: [
        {
          ChangeSetId: stack.changeSetId,
          CreationTime: stack.creationTime,
          DeletionTime: stack.deletionTime,
          LastUpdatedTime: stack.lastUpdatedTime,
          Outputs: /(CREATE|UPDATE)_COMPLETE$/.test(stack.status) && stack.template ? this.outputs(stack) : undefined,
          Parameters: Object.entries(stack.parameters).map(([ParameterKey, value]) => ({
            ParameterKey,
            ParameterValue: this.shown(stack.template, ParameterKey, value),
          })),
          StackId: stack.stackId,
          StackName: stack.stackName,
          StackStatus: stack.status,
          StackStatusReason: stack.statusReason,
          Tags: stack.tags,
        },
      ],
    }
  }

  private diff(stack: SimStack, template: CfnTemplate, parameters: Record<string, string>): SimChangeSet['changes'] {
    const changes: SimChangeSet['changes'] = []
    const current = new Map(stack.resources.map((resource) => [resource.logicalId, resource]))
    const changedParameters = Object.keys(parameters).filter((key) => stack.parameters[key] !== parameters[key])
    // As CloudFormation does, a resource whose Condition is false is not created (and is removed if it exists).
    const conditionStack = {...stack, template} as SimStack
    const active = Object.fromEntries(
      Object.entries(template.Resources).filter(
        ([, resource]) =>
          (resource as {Condition?: string}).Condition === undefined ||
          this.holds((resource as {Condition?: string}).Condition, parameters, conditionStack),
      ),
    )
    for (const [logicalId, resource] of Object.entries(active)) {
      const existing = current.get(logicalId)
      if (!existing) {
        changes.push({Action: 'Add', LogicalResourceId: logicalId, ResourceType: resource.Type})
        continue
      }

      const text = JSON.stringify(resource.Properties ?? {})
      const usesChanged = changedParameters.some(
        (key) => text.includes(`{"Ref":"${key}"}`) || text.includes(`\${${key}}`),
      )
      if (text !== JSON.stringify(existing.properties) || usesChanged) {
        changes.push({
          Action: 'Modify',
          LogicalResourceId: logicalId,
          PhysicalResourceId: existing.physicalId,
          Replacement: 'False',
          ResourceType: resource.Type,
        })
      }
    }

    for (const resource of stack.resources) {
      if (!active[resource.logicalId])
        changes.push({
          Action: 'Remove',
          LogicalResourceId: resource.logicalId,
          PhysicalResourceId: resource.physicalId,
          ResourceType: resource.type,
        })
    }

    return changes
  }

  private event(
    stack: SimStack,
    logicalId: string,
    type: string,
    status: string,
    reason?: string,
    physicalId?: string,
  ): void {
    stack.events.push({
      EventId: `${logicalId}-${status}-${randomUUID()}`,
      LogicalResourceId: logicalId,
      PhysicalResourceId: physicalId,
      ResourceStatus: status,
      ResourceStatusReason: reason,
      ResourceType: type,
      StackId: stack.stackId,
      StackName: stack.stackName,
      Timestamp: this.tick(),
    })
  }

  private executeChangeSet(input: Input) {
    const changeSet = this.findChangeSet(String(input.ChangeSetName))
    const stack = this.stackById(changeSet.stackId)!
    if (changeSet.status !== 'CREATE_COMPLETE') {
      throw new SimError(
        'InvalidChangeSetStatus',
        `ChangeSet [${changeSet.id}] cannot be executed in its current status of [${changeSet.status}]`,
      )
    }

    if (stack.operation)
      throw new SimError(
        'ValidationError',
        `Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`,
      )
    changeSet.executionStatus = 'EXECUTE_IN_PROGRESS'
    stack.changeSetId = changeSet.id
    // As AWS: executing one change set deletes the stack's others.
    stack.changeSets = new Map([[changeSet.id, changeSet]])
    stack.operation = this.applyOperation(stack, changeSet)
    return {}
  }

  private async *finishRunningOperation(stack: SimStack, kind: 'UPDATE'): AsyncGenerator<void, void, void> {
    stack.status = `${kind}_IN_PROGRESS`
    stack.lastUpdatedTime = this.tick()
    this.event(stack, stack.stackName, 'AWS::CloudFormation::Stack', stack.status, 'User Initiated', stack.stackId)
    yield
    yield
    stack.status = `${kind}_COMPLETE`
    this.event(stack, stack.stackName, 'AWS::CloudFormation::Stack', stack.status, undefined, stack.stackId)
  }

  private async *applyOperation(stack: SimStack, changeSet: SimChangeSet): AsyncGenerator<void, void, void> {
    const create = changeSet.type === 'CREATE'
    const verb = create ? 'CREATE' : 'UPDATE'
    const before = {
      parameters: stack.parameters,
      resources: stack.resources.map((resource) => ({...resource})),
      template: stack.template,
    }
    stack.status = `${verb}_IN_PROGRESS`
    if (create) stack.creationTime = this.tick()
    else stack.lastUpdatedTime = this.tick()
    this.event(stack, stack.stackName, 'AWS::CloudFormation::Stack', stack.status, 'User Initiated', stack.stackId)
    yield
    stack.parameters = changeSet.parameters
    stack.tags = changeSet.tags
    const touched: Array<{added: boolean; logicalId: string}> = []
    const work = changeSet.changes.filter((change) => change.Action !== 'Remove')
    let failure: string | undefined
    // Two at a time, as CloudFormation works in parallel: a failure cancels the other one.
    for (let i = 0; i < work.length && !failure; i += 2) {
      const pair = work.slice(i, i + 2)
      for (const change of pair) {
        const added = change.Action === 'Add'
        this.event(
          stack,
          change.LogicalResourceId,
          change.ResourceType,
          added ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS',
        )
      }

      yield
      for (const change of pair) {
        const added = change.Action === 'Add'
        const definition = changeSet.template.Resources[change.LogicalResourceId]
        const reason =
          this.failOnApply.get(change.LogicalResourceId) ??
          (await this.codeProblem(definition.Type, definition.Properties ?? {}, changeSet.parameters))
        if (failure) {
          this.event(
            stack,
            change.LogicalResourceId,
            change.ResourceType,
            added ? 'CREATE_FAILED' : 'UPDATE_FAILED',
            added ? 'Resource creation cancelled' : 'Resource update cancelled',
          )
          continue
        }

        if (reason) {
          failure = change.LogicalResourceId
          this.event(
            stack,
            change.LogicalResourceId,
            change.ResourceType,
            added ? 'CREATE_FAILED' : 'UPDATE_FAILED',
            reason,
          )
          continue
        }

        let resource = stack.resources.find((item) => item.logicalId === change.LogicalResourceId)
        if (!resource) {
          resource = {
            logicalId: change.LogicalResourceId,
            physicalId: this.physicalId(
              stack,
              change.LogicalResourceId,
              definition.Type,
              definition.Properties ?? {},
              changeSet.parameters,
            ),
            properties: definition.Properties ?? {},
            status: 'CREATE_COMPLETE',
            type: definition.Type,
            updated: this.tick(),
          }
          stack.resources.push(resource)
          if (definition.Type === 'AWS::S3::Bucket') await this.options.createBucket?.(resource.physicalId)
          this.event(
            stack,
            change.LogicalResourceId,
            change.ResourceType,
            'CREATE_IN_PROGRESS',
            'Resource creation Initiated',
            resource.physicalId,
          )
        } else {
          resource.properties = definition.Properties ?? {}
          resource.status = 'UPDATE_COMPLETE'
        }

        touched.push({added, logicalId: change.LogicalResourceId})
        this.event(
          stack,
          change.LogicalResourceId,
          change.ResourceType,
          added ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE',
          undefined,
          resource.physicalId,
        )
      }
    }

    if (failure) {
      stack.status = create ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS'
      stack.statusReason =
        `The following resource(s) failed to ${create ? 'create' : 'update'}: [${failure}]. ${create ? 'Rollback requested by user.' : ''}`.trim()
      this.event(stack, stack.stackName, 'AWS::CloudFormation::Stack', stack.status, stack.statusReason, stack.stackId)
      yield
      for (const item of [...touched].reverse()) {
        const resource = stack.resources.find((candidate) => candidate.logicalId === item.logicalId)!
        if (item.added) {
          this.event(stack, resource.logicalId, resource.type, 'DELETE_IN_PROGRESS', undefined, resource.physicalId)
          this.event(stack, resource.logicalId, resource.type, 'DELETE_COMPLETE', undefined, resource.physicalId)
        } else {
          this.event(stack, resource.logicalId, resource.type, 'UPDATE_IN_PROGRESS', undefined, resource.physicalId)
          this.event(stack, resource.logicalId, resource.type, 'UPDATE_COMPLETE', undefined, resource.physicalId)
        }

        yield
      }

      stack.resources = before.resources
      stack.parameters = before.parameters
      stack.template = before.template
      if (!create) {
        stack.status = 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'
        this.event(stack, stack.stackName, 'AWS::CloudFormation::Stack', stack.status, undefined, stack.stackId)
        yield
      }

      stack.status = create ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE'
      this.event(stack, stack.stackName, 'AWS::CloudFormation::Stack', stack.status, undefined, stack.stackId)
      changeSet.executionStatus = 'EXECUTE_FAILED'
      return
    }

    stack.template = changeSet.template
    const removed = changeSet.changes.filter((change) => change.Action === 'Remove')
    if (!create) {
      stack.status = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'
      this.event(stack, stack.stackName, 'AWS::CloudFormation::Stack', stack.status, undefined, stack.stackId)
      yield
      for (const change of removed) {
        this.event(
          stack,
          change.LogicalResourceId,
          change.ResourceType,
          'DELETE_IN_PROGRESS',
          undefined,
          change.PhysicalResourceId,
        )
        this.event(
          stack,
          change.LogicalResourceId,
          change.ResourceType,
          'DELETE_COMPLETE',
          undefined,
          change.PhysicalResourceId,
        )
        stack.resources = stack.resources.filter((resource) => resource.logicalId !== change.LogicalResourceId)
      }
    }

    stack.status = `${verb}_COMPLETE`
    stack.statusReason = undefined
    changeSet.executionStatus = 'EXECUTE_COMPLETE'
    this.event(stack, stack.stackName, 'AWS::CloudFormation::Stack', stack.status, undefined, stack.stackId)
  }

  private async codeProblem(
    type: string,
    properties: Record<string, unknown>,
    parameters: Record<string, string>,
  ): Promise<string | undefined> {
    if (type !== 'AWS::Lambda::Function' || !this.options.objectExists) return undefined
    const code = properties.Code as {S3Bucket?: unknown; S3Key?: unknown} | undefined
    const bucket = this.resolve(code?.S3Bucket, parameters)
    const key = String(code?.S3Key)
    if (await this.options.objectExists(bucket, key)) return undefined
    return `Resource handler returned message: "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. (Service: Lambda, Status Code: 400)" (RequestToken: ${randomUUID()}, HandlerErrorCode: InvalidRequest)`
  }

  private findChangeSet(idOrName: string): SimChangeSet {
    for (const stack of this.stacks) {
      for (const changeSet of stack.changeSets.values())
        if (changeSet.id === idOrName || changeSet.name === idOrName) return changeSet
    }

    throw new SimError('ChangeSetNotFound', `ChangeSet [${idOrName}] does not exist`, 404)
  }

  private findStack(nameOrId: string): SimStack | undefined {
    return nameOrId.startsWith('arn:') ? this.stackById(nameOrId) : this.stack(nameOrId)
  }

  private listStackResources(input: Input) {
    const stack = this.findStack(String(input.StackName))
    if (!stack) throw new SimError('ValidationError', `Stack with id ${String(input.StackName)} does not exist`)
    const start = Number(input.NextToken ?? 0)
    const size = this.options.pageSize ?? 5
    return {
      NextToken: start + size < stack.resources.length ? String(start + size) : undefined,
      StackResourceSummaries: stack.resources.slice(start, start + size).map((resource) => ({
        LastUpdatedTimestamp: resource.updated,
        LogicalResourceId: resource.logicalId,
        PhysicalResourceId: resource.physicalId,
        ResourceStatus: resource.status,
        ResourceStatusReason: resource.statusReason,
        ResourceType: resource.type,
      })),
    }
  }

  private newStack(name: string): SimStack {
    const stack: SimStack = {
      changeSets: new Map(),
      creationTime: this.tick(),
      events: [],
      parameters: {},
      resources: [],
      stackId: `arn:aws:cloudformation:${this.region}:${this.account}:stack/${name}/${randomUUID()}`,
      stackName: name,
      status: 'REVIEW_IN_PROGRESS',
      tags: [],
    }
    this.stacks.push(stack)
    return stack
  }

  private outputs(stack: SimStack) {
    return Object.entries(stack.template?.Outputs ?? {}).map(([OutputKey, output]) => ({
      Description: output.Description,
      OutputKey,
      OutputValue: this.resolve(output.Value, stack.parameters, stack),
    }))
  }

  private physicalId(
    stack: SimStack,
    logicalId: string,
    type: string,
    properties: Record<string, unknown>,
    parameters: Record<string, string> = stack.parameters,
  ): string {
    const suffix = randomUUID().replaceAll('-', '').slice(0, 12)
    if (type === 'AWS::ApiGatewayV2::Api') return suffix.slice(0, 10)
    if (type === 'AWS::ApiGatewayV2::Stage') return this.resolve(properties.StageName, parameters, stack)
    if (type === 'AWS::S3::Bucket') return `${stack.stackName}-${logicalId}-${suffix}`.toLowerCase()
    return `${stack.stackName}-${logicalId}-${suffix}`
  }

  private resolve(value: unknown, parameters: Record<string, string>, stack?: SimStack): string {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': this.account,
      'AWS::Partition': 'aws',
      'AWS::Region': this.region,
      'AWS::StackName': stack?.stackName ?? '',
      'AWS::URLSuffix': 'amazonaws.com',
    }
    const name = (reference: string) => {
      const [id, attribute] = reference.split('.')
      if (pseudo[reference] !== undefined) return pseudo[reference]
      if (parameters[reference] !== undefined) return parameters[reference]
      const declared = stack?.template?.Parameters?.[reference]
      if (declared?.Default !== undefined) return String(declared.Default)
      const resource = stack?.resources.find((item) => item.logicalId === id)
      if (!resource) return reference
      return attribute
        ? `arn:aws:${attribute.toLowerCase()}:${this.region}:${this.account}:${resource.physicalId}`
        : resource.physicalId
    }

    if (typeof value === 'string' || typeof value === 'number') return String(value)
    const object = (value ?? {}) as Record<string, unknown>
    if (typeof object.Ref === 'string') return name(object.Ref)
    if (Array.isArray(object['Fn::GetAtt'])) return name((object['Fn::GetAtt'] as string[]).join('.'))
    if (Array.isArray(object['Fn::If'])) {
      const [condition, whenTrue, whenFalse] = object['Fn::If'] as [string, unknown, unknown]
      return this.resolve(this.holds(condition, parameters, stack) ? whenTrue : whenFalse, parameters, stack)
    }

    if (object['Fn::Sub'] !== undefined) {
      const sub = object['Fn::Sub']
      const [text, variables] = Array.isArray(sub) ? (sub as [string, Record<string, unknown>]) : [sub as string, {}]
      return text.replaceAll(/\$\{([^}]+)\}/g, (_, reference: string) =>
        variables[reference] === undefined ? name(reference) : this.resolve(variables[reference], parameters, stack),
      )
    }

    return JSON.stringify(value)
  }

  /** Whether a condition of the template's Conditions holds (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition). */
  private holds(condition: unknown, parameters: Record<string, string>, stack?: SimStack): boolean {
    if (typeof condition === 'string') return this.holds(stack?.template?.Conditions?.[condition], parameters, stack)
    const object = (condition ?? {}) as Record<string, unknown[]>
    if (typeof (object as Record<string, unknown>).Condition === 'string')
      return this.holds((object as Record<string, unknown>).Condition, parameters, stack)
    if (object['Fn::Equals'])
      return (
        this.resolve(object['Fn::Equals'][0], parameters, stack) ===
        this.resolve(object['Fn::Equals'][1], parameters, stack)
      )
    if (object['Fn::Not']) return !this.holds(object['Fn::Not'][0], parameters, stack)
    if (object['Fn::And']) return object['Fn::And'].every((item) => this.holds(item, parameters, stack))
    if (object['Fn::Or']) return object['Fn::Or'].some((item) => this.holds(item, parameters, stack))
    throw new Error(`fake CloudFormation cannot evaluate the condition ${JSON.stringify(condition)}`)
  }

  private shown(template: CfnTemplate | undefined, key: string, value: string): string {
    return template?.Parameters?.[key]?.NoEcho ? '****' : value
  }

  private stackById(stackId: string): SimStack | undefined {
    return this.stacks.find((stack) => stack.stackId === stackId)
  }

  private tick(): Date {
    this.clock += 1000
    return new Date(this.clock)
  }
}
