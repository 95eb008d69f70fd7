import type {AwsSession} from '../aws/index.js'
import type {CfnTemplate} from '../project/index.js'

/**
 * The AWS CLI commands a deploy tells the user to run: print a secret the stack generated, execute a change
 * set left for review. Each names the session's region, profile and endpoint, so it acts on the same stack.
 */

type SessionFlags = Pick<AwsSession, 'endpointUrl' | 'profile' | 'region'>

function sessionFlags(session: SessionFlags): string {
  return [
    session.profile ? ` --profile ${session.profile}` : '',
    session.endpointUrl ? ` --endpoint-url ${session.endpointUrl}` : '',
  ].join('')
}

/** The AWS CLI command that prints a secret's value (a generated $connect token, for one). */
export function readSecretCommand(session: SessionFlags, secretArn: string): string {
  return `aws secretsmanager get-secret-value --secret-id ${secretArn} --query SecretString --output text --region ${session.region}${sessionFlags(session)}`
}

/** The AWS CLI command that executes a change set left for review. */
export function executeCommand(session: SessionFlags, changeSetId: string): string {
  return `aws cloudformation execute-change-set --change-set-name ${changeSetId} --region ${session.region}${sessionFlags(session)}`
}

/** Outputs whose value is the Ref of an AWS::SecretsManager::Secret of the template (its ARN). */
function secretOutputs(template: CfnTemplate): string[] {
  return Object.entries(template.Outputs ?? {})
    .filter(([, output]) => {
      const target = (output.Value as {Ref?: unknown} | null)?.Ref
      return typeof target === 'string' && template.Resources[target]?.Type === 'AWS::SecretsManager::Secret'
    })
    .map(([key]) => key)
}

/** For each deployed output naming a secret of the template (AuthTokenSecretArn), the command that prints its value. */
export function secretCommands(
  session: SessionFlags,
  template: CfnTemplate,
  outputs: Record<string, string>,
): Array<{command: string; output: string}> {
  return secretOutputs(template)
    .filter((key) => outputs[key] !== undefined)
    .map((key) => ({command: readSecretCommand(session, outputs[key]), output: key}))
}
