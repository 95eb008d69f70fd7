import {resolve} from 'node:path'

import {awsOptionsFrom} from '../lib/aws/options.js'
import type {DeployProjectResult} from '../lib/deploy/deploy-project.js'
import {WsapiError} from '../lib/errors.js'
import {readSecretFromStdin, resolveParameterInput} from '../lib/secret-input.js'
import {awsFlags, pollIntervalFromEnv, stackFlags} from '../ui/aws-flags.js'
import {isInteractive} from '../ui/interactive.js'
import {WsapiCommand} from '../ui/base-command.js'
import {Flags} from '../ui/oclif.js'
import {countChanges, renderChanges, renderFailures, renderOutputs} from '../ui/deploy-render.js'
import {colors} from '../ui/output.js'
import {explainInterrupt} from '../ui/interrupt.js'
import {formatElapsed, terminalActivity} from '../ui/stack-activity.js'

export default class Deploy extends WsapiCommand {
  static override description = `Builds the project, uploads the function zips that are not in the artifact bucket yet, and deploys the stack <project>-<stage> through a CloudFormation change set: it shows the changes (action, logical id, type, replacement), asks before executing when run in a terminal, streams the stack events with progress, prints the outputs (WebSocketUrl first) and saves them to .wsapi/outputs/<stage>.json for \`wsapi connect\`.

Running it again with nothing changed uploads nothing, reports "No changes" and exits 0. A failed deploy shows the root cause, waits for the rollback and exits 1; a stack whose first create failed (ROLLBACK_COMPLETE) is deleted and created again. Parameters you leave out keep their current values on an update; a NoEcho parameter without a value is asked for with a hidden prompt when needed, and never printed. Give secrets in WSAPI_PARAMETER_<Key> or on standard input (--parameter-stdin <Key>) rather than with --parameter, which \`ps\` shows. A stack of the same name that wsapi did not deploy for this project and stage is refused (--adopt takes it over).

Credentials and region come from the standard AWS chain (--profile / AWS_PROFILE, --region / AWS_REGION, env keys, SSO). Artifacts go to --s3-bucket, or to a bucket wsapi creates once per account and region (stack wsapi-bootstrap).`

  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %>',
      description: 'Deploy stage v1 (the default), asking before executing',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --stage prod --yes',
      description: 'Deploy the same project as the stack <project>-prod, without asking',
    },
    {
      command: 'WSAPI_PARAMETER_AuthTokenSecret="$SECRET" <%= config.bin %> <%= command.id %> --yes --json',
      description: 'In CI: give the $connect token from a secret variable, print a JSON result',
    },
    {
      command: 'pass show chat-token | <%= config.bin %> <%= command.id %> --parameter-stdin AuthTokenSecret --yes',
      description: 'Give the $connect token on standard input',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --no-execute',
      description: 'Create the change set, show it, and leave it for review',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --endpoint-url http://localhost:4566 --region us-east-1 --yes',
      description: 'Deploy to LocalStack',
    },
  ]

  static override flags = {
    ...stackFlags,
    parameter: Flags.string({
      description:
        'Template parameter Key=Value (repeatable; kept on updates). Secrets: WSAPI_PARAMETER_<Key> or --parameter-stdin (`ps` shows command lines).',
      multiple: true,
    }),
    'parameter-stdin': Flags.string({
      description: 'Read the value of this parameter (e.g. AuthTokenSecret) from standard input.',
    }),
    's3-bucket': Flags.string({
      description: "Your own artifact bucket (in the stack's region). [default: wsapi's managed bucket]",
    }),
    yes: Flags.boolean({char: 'y', description: 'Execute the change set without asking.'}),
    execute: Flags.boolean({
      allowNo: true,
      default: true,
      description: 'Execute the change set; --no-execute creates it, shows it and stops.',
    }),
    wait: Flags.boolean({
      allowNo: true,
      default: true,
      description: 'Wait for an operation already running on the stack; --no-wait stops instead.',
    }),
    adopt: Flags.boolean({
      description:
        'Take over a stack of this name that wsapi did not deploy for this project and stage (no wsapi:project / wsapi:stage tags); the deploy adds the tags.',
    }),
    typecheck: Flags.boolean({
      allowNo: true,
      default: true,
      description: 'Type-check the handlers before anything else and stop on errors; --no-typecheck skips it.',
    }),
    ...awsFlags,
  }

  static override summary = 'Deploy the project to AWS as the CloudFormation stack <project>-<stage>.'

  async run(): Promise<DeployProjectResult> {
    const {flags} = await this.parse(Deploy)
    const parameters = await resolveParameterInput({
      env: process.env,
      flags: flags.parameter,
      readStdin: () => readSecretFromStdin('--parameter-stdin'),
      stdinName: flags['parameter-stdin'],
    })
    const {deployProject, Secrets} = await import('../lib/deploy/index.js')
    const interactive = isInteractive({json: this.jsonEnabled()})
    const prompts = interactive ? await import('../ui/deploy-prompts.js') : undefined
    const secrets = new Secrets()
    const out = secrets.output(this.out)
    const stopExplaining = explainInterrupt(
      'Interrupted. A CloudFormation operation this run started goes on without it: `wsapi status` shows where it is.',
    )
    const result = await deployProject({
      adopt: flags.adopt,
      aws: {...awsOptionsFrom(flags), onWarning: (message) => this.out.warn(message)},
      confirm: prompts && !flags.yes ? prompts.confirmChangeSet : undefined,
      dir: resolve(flags.dir),
      execute: flags.execute,
      listener: terminalActivity({stream: this.jsonEnabled() ? process.stderr : process.stdout}),
      onChangeSet(plan) {
        out.info(`Change set ${plan.changeSetName}: ${countChanges(plan.changes)}`)
        out.info(renderChanges(plan.changes))
      },
      output: out,
      environmentParameters: parameters.fromEnvironment,
      parameters: parameters.given,
      pollIntervalMs: pollIntervalFromEnv(),
      prompt: prompts?.askParameter,
      s3Bucket: flags['s3-bucket'],
      secrets,
      stage: flags.stage,
      typecheck: flags.typecheck,
      wait: flags.wait,
    }).finally(stopExplaining)

    switch (result.type) {
      case 'deployed': {
        if (result.noOp) out.success(`No changes: ${result.stackName} is up to date (${result.status}).`)
        else
          out.success(
            `${result.operation === 'CREATE' ? 'Created' : 'Updated'} ${result.stackName} in ${formatElapsed(result.durationMs)} (${result.status}).`,
          )
        if (Object.keys(result.outputs).length > 0) out.info(renderOutputs(result.outputs))
        out.info(colors.dim(`Outputs saved to ${result.outputsFile}; \`${this.config.bin} connect\` uses them.`))
        for (const secret of result.secretCommands)
          out.info(
            colors.dim(`The secret of ${secret.output} (e.g. the $connect token for WSAPI_TOKEN): ${secret.command}`),
          )
        return result
      }

      case 'review': {
        out.success(`Change set ${result.changeSetName} is ready for review and was not executed.`)
        out.info(
          `Execute it with:\n  ${result.executeCommand}\nor run \`${this.config.bin} deploy\` again without --no-execute (it makes a fresh change set).`,
        )
        return result
      }

      case 'declined': {
        throw new WsapiError(`Deploy cancelled: the change set was deleted and ${result.stackName} is unchanged.`, {
          code: 'CANCELLED',
        })
      }

      default: {
        out.error(
          `${result.operation === 'CREATE' ? 'Creating' : 'Updating'} ${result.stackName} failed; CloudFormation rolled it back (${result.status}). Root cause:`,
        )
        out.info(renderFailures(result.rootCause))
        const first = result.rootCause[0]
        const cause = first ? `${first.logicalId}: ${first.reason}` : 'see the stack events above'
        const next =
          result.status === 'ROLLBACK_COMPLETE'
            ? ' Fix it and deploy again (the empty stack is then deleted and created anew).'
            : ' Fix it and deploy again.'
        throw new WsapiError(`Deploy of ${result.stackName} failed (${result.status}): ${cause}.${next}`, {
          code: 'DEPLOY_FAILED',
        })
      }
    }
  }
}
