import {WsapiError} from '../lib/errors.js'
import type {ChangeSetPlan} from '../lib/deploy/deploy-stack.js'
import type {DestroyPlan} from '../lib/deploy/destroy.js'
import {parameterProblem, type TemplateParameter} from '../lib/deploy/parameters.js'
import {askYesNo} from './yes-no.js'

/** Ctrl-C or Ctrl-D at a prompt: a soft stop (exit 1), not a crash. */
async function asking<T>(question: () => Promise<T>): Promise<T> {
  try {
    return await question()
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new WsapiError('Cancelled at the prompt.', {code: 'CANCELLED'})
    }

    throw error
  }
}

/** Asks for a parameter's value; a NoEcho one with a hidden prompt (nothing is echoed, not even stars). */
export async function askParameter(parameter: TemplateParameter): Promise<string> {
  const {input, password} = await import('@inquirer/prompts')
  const validate = (value: string) => parameterProblem(parameter, value) ?? true
  const about = parameter.description ? ` – ${parameter.description.replace(/\.$/, '')}` : ''
  if (parameter.noEcho) return asking(() => password({message: `${parameter.key} (hidden)${about}`, validate}))
  return asking(() => input({message: `${parameter.key}${about}`, required: true, validate}))
}

/** Deploy these changes? Yes by default, unless something is removed or replaced. */
export async function confirmChangeSet(plan: ChangeSetPlan): Promise<boolean> {
  const {input} = await import('@inquirer/prompts')
  const risky = plan.changes.some(
    (change) => change.action === 'Remove' || (change.action === 'Modify' && change.replacement === 'True'),
  )
  return asking(() =>
    askYesNo(
      input,
      `${plan.operation === 'CREATE' ? 'Create' : 'Update'} ${plan.stackName} with these ${plan.changes.length} changes?`,
      !risky,
    ),
  )
}

/** Destroy asks for the stack name typed out: deleting the table deletes its data. */
export async function confirmDestroy(plan: DestroyPlan): Promise<boolean> {
  const {input} = await import('@inquirer/prompts')
  const answer = await asking(() => input({message: `Type ${plan.stackName} to delete it (anything else cancels):`}))
  return answer.trim() === plan.stackName
}
