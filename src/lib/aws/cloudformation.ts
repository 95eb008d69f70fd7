import type * as CloudFormationSdk from '@aws-sdk/client-cloudformation'

import {type AwsCallContext, isStackMissing, toAwsCallError} from './errors.js'

/** wsapi's view of a stack: only what the deploy flow reads, in plain types (src/lib/deploy never sees SDK types). */
export interface StackInfo {
  /** The change set executed last. */
  changeSetId?: string
  creationTime?: Date
  deletionTime?: Date
  lastUpdatedTime?: Date
  /** In the order AWS returns them. */
  outputs: Array<{description?: string; key: string; value: string}>
  /** NoEcho values come back as `****`. */
  parameters: Array<{key: string; value?: string}>
  stackId: string
  stackName: string
  status: string
  statusReason?: string
  /** The stack's tags (wsapi's own say which project and stage it belongs to). */
  tags: Record<string, string>
}

export interface StackEventInfo {
  eventId: string
  logicalId: string
  physicalId?: string
  reason?: string
  resourceType: string
  stackId: string
  status: string
  timestamp: Date
}

export type ChangeAction = 'Add' | 'Dynamic' | 'Import' | 'Modify' | 'Remove'

export interface ResourceChangeInfo {
  action: ChangeAction
  logicalId: string
  physicalId?: string
  /** For Modify: True, False or Conditional. */
  replacement?: string
  resourceType: string
}

export interface ChangeSetInfo {
  changes: ResourceChangeInfo[]
  changeSetId: string
  changeSetName: string
  executionStatus?: string
  stackId: string
  status: string
  statusReason?: string
}

export interface StackResourceInfo {
  lastUpdated?: Date
  logicalId: string
  physicalId?: string
  reason?: string
  resourceType: string
  status: string
}

/** A parameter for a change set: a value, or the value the stack has now. */
export type ParameterInput = {key: string; usePreviousValue: true} | {key: string; value: string}

/** What a change set acknowledges that the template may do (src/lib/deploy/capabilities.ts works it out). */
export type StackCapability = 'CAPABILITY_AUTO_EXPAND' | 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM'

export interface CreateChangeSetInput {
  /** Only those the template needs. */
  capabilities?: StackCapability[]
  changeSetName: string
  changeSetType: 'CREATE' | 'UPDATE'
  /** Idempotency token: a retried call does not create a second change set. */
  clientToken: string
  description?: string
  parameters: ParameterInput[]
  stackName: string
  tags?: Record<string, string>
  /** Exactly one of templateBody / templateUrl. */
  templateBody?: string
  templateUrl?: string
}

function toStack(stack: CloudFormationSdk.Stack): StackInfo {
  return {
    changeSetId: stack.ChangeSetId,
    creationTime: stack.CreationTime,
    deletionTime: stack.DeletionTime,
    lastUpdatedTime: stack.LastUpdatedTime,
    outputs: (stack.Outputs ?? []).map((output) => ({
      description: output.Description,
      key: output.OutputKey ?? '',
      value: output.OutputValue ?? '',
    })),
    parameters: (stack.Parameters ?? []).map((parameter) => ({
      key: parameter.ParameterKey ?? '',
      value: parameter.ParameterValue,
    })),
    stackId: stack.StackId ?? '',
    stackName: stack.StackName ?? '',
    status: stack.StackStatus ?? 'UNKNOWN',
    statusReason: stack.StackStatusReason,
    tags: Object.fromEntries((stack.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
  }
}

function toEvent(event: CloudFormationSdk.StackEvent): StackEventInfo {
  return {
    eventId: event.EventId ?? '',
    logicalId: event.LogicalResourceId ?? '',
    physicalId: event.PhysicalResourceId,
    reason: event.ResourceStatusReason,
    resourceType: event.ResourceType ?? '',
    stackId: event.StackId ?? '',
    status: event.ResourceStatus ?? 'UNKNOWN',
    timestamp: event.Timestamp ?? new Date(0),
  }
}

/** Thin typed wrapper: one method per call wsapi makes, SDK errors turned into AwsCallError. */
export class CloudFormationApi {
  constructor(
    private readonly sdk: typeof CloudFormationSdk,
    readonly client: CloudFormationSdk.CloudFormationClient,
    private readonly context: Omit<AwsCallContext, 'operation' | 'service'>,
  ) {}

  async createChangeSet(input: CreateChangeSetInput): Promise<{changeSetId: string; stackId: string}> {
    const output = await this.call('CreateChangeSet', () =>
      this.client.send(
        new this.sdk.CreateChangeSetCommand({
          Capabilities: input.capabilities?.length ? input.capabilities : undefined,
          ChangeSetName: input.changeSetName,
          ChangeSetType: input.changeSetType,
          ClientToken: input.clientToken,
          Description: input.description,
          Parameters: input.parameters.map((parameter) =>
            'value' in parameter
              ? {ParameterKey: parameter.key, ParameterValue: parameter.value}
              : {ParameterKey: parameter.key, UsePreviousValue: true},
          ),
          StackName: input.stackName,
          Tags: input.tags ? Object.entries(input.tags).map(([Key, Value]) => ({Key, Value})) : undefined,
          TemplateBody: input.templateBody,
          TemplateURL: input.templateUrl,
        }),
      ),
    )
    return {changeSetId: output.Id ?? input.changeSetName, stackId: output.StackId ?? input.stackName}
  }

  async deleteChangeSet(changeSetId: string): Promise<void> {
    await this.call('DeleteChangeSet', () =>
      this.client.send(new this.sdk.DeleteChangeSetCommand({ChangeSetName: changeSetId})),
    )
  }

  async deleteStack(
    stackName: string,
    options: {clientRequestToken: string; retainResources?: string[]},
  ): Promise<void> {
    await this.call('DeleteStack', () =>
      this.client.send(
        new this.sdk.DeleteStackCommand({
          ClientRequestToken: options.clientRequestToken,
          RetainResources: options.retainResources?.length ? options.retainResources : undefined,
          StackName: stackName,
        }),
      ),
    )
  }

  /** The change set with every page of its changes. */
  async describeChangeSet(changeSetId: string): Promise<ChangeSetInfo> {
    const changes: ResourceChangeInfo[] = []
    let nextToken: string | undefined
    let page: CloudFormationSdk.DescribeChangeSetOutput
    do {
      const token = nextToken
      // eslint-disable-next-line no-await-in-loop
      page = await this.call('DescribeChangeSet', () =>
        this.client.send(new this.sdk.DescribeChangeSetCommand({ChangeSetName: changeSetId, NextToken: token})),
      )
      for (const change of page.Changes ?? []) {
        const resource = change.ResourceChange
        if (!resource) continue
        changes.push({
          action: (resource.Action ?? 'Modify') as ChangeAction,
          logicalId: resource.LogicalResourceId ?? '',
          physicalId: resource.PhysicalResourceId,
          replacement: resource.Replacement,
          resourceType: resource.ResourceType ?? '',
        })
      }

      nextToken = page.NextToken
    } while (nextToken)
    return {
      changes,
      changeSetId: page.ChangeSetId ?? changeSetId,
      changeSetName: page.ChangeSetName ?? changeSetId,
      executionStatus: page.ExecutionStatus,
      stackId: page.StackId ?? '',
      status: page.Status ?? 'UNKNOWN',
      statusReason: page.StatusReason,
    }
  }

  /** The stack, or undefined when CloudFormation does not know the name (an ARN also finds deleted stacks). */
  async describeStack(stackNameOrId: string): Promise<StackInfo | undefined> {
    try {
      const output = await this.client.send(new this.sdk.DescribeStacksCommand({StackName: stackNameOrId}))
      const stack = output.Stacks?.[0]
      return stack ? toStack(stack) : undefined
    } catch (error) {
      if (isStackMissing(error)) return undefined
      throw toAwsCallError(error, {...this.context, operation: 'DescribeStacks', service: 'CloudFormation'})
    }
  }

  /** One page of events, newest first, as AWS returns them. */
  async describeStackEvents(
    stackId: string,
    nextToken?: string,
  ): Promise<{events: StackEventInfo[]; nextToken?: string}> {
    const output = await this.call('DescribeStackEvents', () =>
      this.client.send(new this.sdk.DescribeStackEventsCommand({NextToken: nextToken, StackName: stackId})),
    )
    return {events: (output.StackEvents ?? []).map((event) => toEvent(event)), nextToken: output.NextToken}
  }

  async executeChangeSet(changeSetId: string, clientRequestToken: string): Promise<void> {
    await this.call('ExecuteChangeSet', () =>
      this.client.send(
        new this.sdk.ExecuteChangeSetCommand({ChangeSetName: changeSetId, ClientRequestToken: clientRequestToken}),
      ),
    )
  }

  /** Every resource of the stack (all pages). */
  async listStackResources(stackId: string): Promise<StackResourceInfo[]> {
    const resources: StackResourceInfo[] = []
    let nextToken: string | undefined
    do {
      const token = nextToken
      // eslint-disable-next-line no-await-in-loop
      const page = await this.call('ListStackResources', () =>
        this.client.send(new this.sdk.ListStackResourcesCommand({NextToken: token, StackName: stackId})),
      )
      for (const resource of page.StackResourceSummaries ?? []) {
        resources.push({
          lastUpdated: resource.LastUpdatedTimestamp,
          logicalId: resource.LogicalResourceId ?? '',
          physicalId: resource.PhysicalResourceId,
          reason: resource.ResourceStatusReason,
          resourceType: resource.ResourceType ?? '',
          status: resource.ResourceStatus ?? 'UNKNOWN',
        })
      }

      nextToken = page.NextToken
    } while (nextToken)
    return resources
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send()
    } catch (error) {
      throw toAwsCallError(error, {...this.context, operation, service: 'CloudFormation'})
    }
  }
}
