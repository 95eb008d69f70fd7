import type {EmulatedStack} from '../../src/lib/dev/environment.js'
import type {ProjectModel} from '../../src/lib/project/index.js'

/** The account and Region of every emulated stack here. */
export const where = {accountId: '000000000000', region: 'us-east-1'}

/** An emulated stack (app-v1, stage v1) whose template holds these resources. */
export function stackWith(resources: EmulatedStack['template']['Resources']): EmulatedStack {
  return {
    ...where,
    apiEndpoint: 'ws://127.0.0.1:1',
    apiId: 'abcdefghij',
    parameters: {},
    stackName: 'app-v1',
    stageName: 'v1',
    template: {Resources: resources},
  }
}

/** An AWS::Lambda::Function resource with these properties. */
export const fn = (properties: Record<string, unknown> = {}) => ({
  Properties: {Code: 'src/x.ts', Runtime: 'nodejs22.x', ...properties},
  Type: 'AWS::Lambda::Function',
})

/** The project as far as the Lambda emulation reads it: the template's functions. */
export const projectOf = (stack: EmulatedStack) =>
  ({
    functions: Object.fromEntries(
      Object.entries(stack.template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function'),
    ),
  }) as unknown as ProjectModel
