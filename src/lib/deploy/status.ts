import {type AwsOptions, type CloudFormationApi, createAwsSession, type StackEventInfo} from '../aws/index.js'
import {type FailureReason, isInProgress, isRootCauseCandidate, statusTone, toFailureReasons} from './stack-status.js'
import {orderOutputs, otherDeployedRegion, resolveStackTarget} from './target.js'

export interface StatusOptions {
  aws: AwsOptions
  dir: string
  stage?: string
}

export type StatusResult =
  | {
      deployed: false
      /** Where this project last deployed the stage, when that is another region. */ deployedIn?: string
      region: string
      stackName: string
      stage: string
    }
  | {
      createdAt?: string
      deployed: true
      inProgress: boolean
      /** When the stack last changed (its last update, else its creation). */
      lastUpdatedAt?: string
      outputs: Record<string, string>
      /** Why the last operation failed, when it did. */
      problems: FailureReason[]
      region: string
      resources: {byStatus: Record<string, number>; byType: Record<string, number>; total: number}
      stackId: string
      stackName: string
      stage: string
      status: string
      statusReason?: string
    }

function count(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const value of values.sort()) counts[value] = (counts[value] ?? 0) + 1
  return counts
}

/** The failed resources of the stack's last operation: events back to the last "User Initiated" start. */
export async function lastOperationFailures(
  cloudFormation: CloudFormationApi,
  stackId: string,
  maxPages = 5,
): Promise<StackEventInfo[]> {
  const failures: StackEventInfo[] = []
  let nextToken: string | undefined
  for (let page = 0; page < maxPages; page++) {
    // eslint-disable-next-line no-await-in-loop
    const events = await cloudFormation.describeStackEvents(stackId, nextToken)
    for (const event of events.events) {
      if (event.resourceType === 'AWS::CloudFormation::Stack' && event.reason === 'User Initiated')
        return failures.reverse()
      if (isRootCauseCandidate(event)) failures.push(event)
    }

    nextToken = events.nextToken
    if (!nextToken) break
  }

  return failures.reverse()
}

/** `wsapi status`: the stack's status, last change, outputs, resource counts, and why it failed if it did. */
export async function stackStatus(options: StatusOptions): Promise<StatusResult> {
  const target = resolveStackTarget(options.dir, options.stage)
  const {project, stackName, stage} = target
  const session = await createAwsSession(options.aws)
  try {
    const {cloudFormation} = session
    const stack = await cloudFormation.describeStack(stackName)
    if (!stack)
      return {
        deployed: false,
        deployedIn: otherDeployedRegion(target, session.region),
        region: session.region,
        stackName,
        stage,
      }
    const [resources, failures] = await Promise.all([
      stack.status === 'REVIEW_IN_PROGRESS' ? [] : cloudFormation.listStackResources(stack.stackId),
      statusTone(stack.status) === 'failure' || statusTone(stack.status) === 'rollback'
        ? lastOperationFailures(cloudFormation, stack.stackId)
        : [],
    ])
    const problems = toFailureReasons(failures)
    for (const resource of resources) {
      if (
        resource.status.endsWith('_FAILED') &&
        !problems.some((problem) => problem.logicalId === resource.logicalId)
      ) {
        problems.push({
          logicalId: resource.logicalId,
          reason: resource.reason ?? '',
          resourceType: resource.resourceType,
          status: resource.status,
        })
      }
    }

    return {
      createdAt: stack.creationTime?.toISOString(),
      deployed: true,
      inProgress: isInProgress(stack.status),
      lastUpdatedAt: (stack.lastUpdatedTime ?? stack.creationTime)?.toISOString(),
      outputs: orderOutputs(stack.outputs, Object.keys(project.template.Outputs ?? {})),
      problems,
      region: session.region,
      resources: {
        byStatus: count(resources.map((resource) => resource.status)),
        byType: count(resources.map((resource) => resource.resourceType)),
        total: resources.length,
      },
      stackId: stack.stackId,
      stackName,
      stage,
      status: stack.status,
      statusReason: stack.statusReason,
    }
  } finally {
    session.destroy()
  }
}
