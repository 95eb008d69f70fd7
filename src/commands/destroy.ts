import {resolve} from 'node:path'

import {awsOptionsFrom} from '../lib/aws/options.js'
import type {DestroyPlan, DestroyProjectResult} from '../lib/deploy/destroy.js'
import {UsageError, WsapiError} from '../lib/errors.js'
import {awsFlags, pollIntervalFromEnv, stackFlags} from '../ui/aws-flags.js'
import {isInteractive} from '../ui/interactive.js'
import {WsapiCommand} from '../ui/base-command.js'
import {Flags} from '../ui/oclif.js'
import {renderBlocking} from '../ui/deploy-render.js'
import {colors} from '../ui/output.js'
import {explainInterrupt} from '../ui/interrupt.js'
import {formatElapsed, terminalActivity} from '../ui/stack-activity.js'

export default class Destroy extends WsapiCommand {
  static override description = `Deletes the stack <project>-<stage> and everything in it (the connections table and its data, functions, log groups), streaming the stack events until DELETE_COMPLETE; then removes the stack's artifacts from wsapi's artifact bucket and its saved outputs.

In a terminal it asks you to type the stack name; elsewhere it needs --yes. A stack that does not exist is nothing to destroy (exit 0). A stack left in REVIEW_IN_PROGRESS by a change set never executed is removed too. If CloudFormation cannot delete a resource (DELETE_FAILED), it lists each one with the reason and the fix, and exits 1.`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Delete stage v1, after typing the stack name'},
    {
      command: '<%= config.bin %> <%= command.id %> --stage prod --yes',
      description: 'Delete <project>-prod without asking',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --yes --retain LegacyBucket',
      description: 'Finish a DELETE_FAILED deletion, keeping a resource that cannot be deleted',
    },
  ]

  static override flags = {
    ...stackFlags,
    yes: Flags.boolean({char: 'y', description: 'Delete without asking.'}),
    retain: Flags.string({
      description: 'Logical id of a resource to keep when the stack is DELETE_FAILED (repeatable).',
      multiple: true,
    }),
    's3-bucket': Flags.string({
      description: "Also remove the stack's artifacts from this bucket (the one you gave deploy).",
    }),
    wait: Flags.boolean({
      allowNo: true,
      default: true,
      description: 'Wait for an operation already running on the stack; --no-wait stops instead.',
    }),
    adopt: Flags.boolean({
      description:
        'Delete a stack of this name even though wsapi did not deploy it for this project and stage (no wsapi:project / wsapi:stage tags).',
    }),
    ...awsFlags,
  }

  static override summary = 'Delete the stack <project>-<stage> and its artifacts.'

  async run(): Promise<DestroyProjectResult> {
    const {flags} = await this.parse(Destroy)
    const {destroyProject} = await import('../lib/deploy/index.js')
    let confirm: ((plan: DestroyPlan) => Promise<boolean>) | undefined
    if (!flags.yes) {
      const out = this.out
      confirm = isInteractive({json: this.jsonEnabled()})
        ? async (plan) => {
            const data = plan.tables.length > 0 ? `, including the data in ${plan.tables.join(', ')}` : ''
            out.warn(
              `This deletes ${plan.stackName} (${plan.status}, ${plan.resources} resources${data}) from account ${plan.account} in ${plan.region}.`,
            )
            const {confirmDestroy} = await import('../ui/deploy-prompts.js')
            return confirmDestroy(plan)
          }
        : async (plan) => {
            throw new UsageError(
              `wsapi destroy deletes ${plan.stackName} and its data: pass --yes to confirm (there is no terminal to ask in).`,
              {code: 'CONFIRMATION_REQUIRED'},
            )
          }
    }

    const stopExplaining = explainInterrupt(
      'Interrupted. A deletion this run started goes on without it: `wsapi status` shows where it is.',
    )
    const result = await destroyProject({
      adopt: flags.adopt,
      aws: {...awsOptionsFrom(flags), onWarning: (message) => this.out.warn(message)},
      confirm,
      dir: resolve(flags.dir),
      listener: terminalActivity({stream: this.jsonEnabled() ? process.stderr : process.stdout}),
      output: this.out,
      pollIntervalMs: pollIntervalFromEnv(),
      retain: flags.retain,
      s3Bucket: flags['s3-bucket'],
      stage: flags.stage,
      wait: flags.wait,
    }).finally(stopExplaining)
    const artifacts =
      result.artifactsRemoved > 0
        ? ` Removed ${result.artifactsRemoved} artifact${result.artifactsRemoved === 1 ? '' : 's'}.`
        : ''
    switch (result.type) {
      case 'nothing': {
        this.out.success(`Nothing to destroy: ${result.stackName} does not exist in ${result.region}.${artifacts}`)
        if (result.deployedIn)
          this.out.warn(
            `This project deployed it to ${result.deployedIn}: to delete that one, pass --region ${result.deployedIn}.`,
          )
        return result
      }

      case 'destroyed': {
        const kept =
          result.retained.length > 0 ? ` Kept ${result.retained.join(', ')} (no longer managed by CloudFormation).` : ''
        this.out.success(`Deleted ${result.stackName} in ${formatElapsed(result.durationMs)}.${artifacts}${kept}`)
        return result
      }

      case 'declined': {
        throw new WsapiError(`Not confirmed: ${result.stackName} was not deleted.`, {code: 'CANCELLED'})
      }

      default: {
        this.out.error(
          `CloudFormation could not delete ${result.resources.length} resource${result.resources.length === 1 ? '' : 's'} of ${result.stackName}:`,
        )
        this.out.info(renderBlocking(result.resources))
        this.out.info(
          colors.dim(
            `Then run \`${this.config.bin} destroy\` again; --retain <LogicalId> keeps a resource you want to leave in place.`,
          ),
        )
        const names = result.resources.map((resource) => resource.logicalId).join(', ')
        throw new WsapiError(
          `Destroy of ${result.stackName} failed (DELETE_FAILED) on ${names || 'some resources'}: fix them as listed above, then run destroy again.`,
          {code: 'DELETE_FAILED'},
        )
      }
    }
  }
}
