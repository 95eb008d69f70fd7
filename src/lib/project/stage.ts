import {UsageError} from '../errors.js'
import {isValidStackName, validateStackStage, validateStage} from './names.js'

/** The template parameter through which wsapi sets the stage (the scaffolded `StageName: !Ref StageName`). */
export const STAGE_PARAMETER = 'StageName'

export interface StageRequest {
  /** The template declares the StageName parameter: any stage can be deployed from it. */
  declaresParameter: boolean
  /** The template file, for messages. */
  file: string
  /** The project name: the stack is `<project>-<stage>`. */
  project: string
  /** `--stage`, when given. */
  requested?: string
  /** What the template's stage resource is named without --stage: the parameter's value (its Default, or one given for it), or a literal StageName. */
  templateStage?: string
}

/**
 * The stage every command works on: `--stage`, else the template's. A template without the StageName
 * parameter fixes its stage, so another --stage is refused rather than silently ignored. The stage is
 * checked the same way for every command: as API Gateway checks a stage name, and, when the project name
 * is a valid stack name, as part of the stack name `<project>-<stage>` that deploy creates.
 */
export function resolveStage(request: StageRequest): string {
  const {file, requested, templateStage} = request
  let stage: string
  if (request.declaresParameter) {
    const value = requested ?? templateStage
    if (value === undefined) {
      throw new UsageError(
        `${file} gives ${STAGE_PARAMETER} no default: pass --stage, e.g. --stage v1 (to wsapi dev: --parameter ${STAGE_PARAMETER}=v1), or give it a Default.`,
        {
          code: 'MISSING_STAGE',
        },
      )
    }

    stage = value
  } else {
    // The model refuses such a template first, naming the stage resource; this keeps the function whole.
    if (templateStage === undefined)
      throw new UsageError(`${file}: the stage's StageName must be a string or a Ref to a parameter with a value.`, {
        code: 'INVALID_TEMPLATE',
      })
    if (requested !== undefined && requested !== templateStage) {
      throw new UsageError(
        `${file} fixes the stage to ${templateStage} (it has no ${STAGE_PARAMETER} parameter): add one to use other stages, or leave --stage out.`,
        {
          code: 'FIXED_STAGE',
        },
      )
    }

    stage = templateStage
  }

  validateStage(stage)
  if (isValidStackName(request.project)) validateStackStage(request.project, stage)
  return stage
}
