import type {StackCapability} from '../aws/index.js'
import type {CfnTemplate} from '../project/index.js'

/**
 * IAM resource types that need an acknowledged capability, each with the property that gives it a custom
 * name (which needs CAPABILITY_NAMED_IAM instead of CAPABILITY_IAM). See "Acknowledging IAM resources in
 * CloudFormation templates" in the CloudFormation User Guide and `Capabilities` in the CreateChangeSet API.
 */
const IAM_TYPES: Record<string, string | undefined> = {
  'AWS::IAM::AccessKey': undefined,
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::GroupPolicy': undefined,
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::Policy': undefined,
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::RolePolicy': undefined,
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::UserPolicy': undefined,
  'AWS::IAM::UserToGroupAddition': undefined,
}

/** Resources whose own template is not in this one (nested stacks): what they create cannot be seen here. */
const NESTED_TYPES = new Set(['AWS::CloudFormation::Stack', 'AWS::Serverless::Application'])

function usesFnTransform(value: unknown): boolean {
  if (Array.isArray(value)) return value.some((item) => usesFnTransform(item))
  if (value === null || typeof value !== 'object') return false
  return Object.entries(value).some(([key, item]) => key === 'Fn::Transform' || usesFnTransform(item))
}

/**
 * The capabilities CloudFormation needs acknowledged for this template, and no more: CAPABILITY_IAM for
 * IAM resources without custom names, CAPABILITY_NAMED_IAM when one has a name, CAPABILITY_AUTO_EXPAND for
 * a Transform (macro, AWS::Include, AWS::Serverless) or a nested stack. What a macro or a nested stack
 * creates is not in this template, so those get both IAM capabilities too, as the AWS CLI user would pass.
 */
export function requiredCapabilities(template: CfnTemplate): StackCapability[] {
  let iam = false
  let namedIam = false
  let autoExpand = template.Transform !== undefined || usesFnTransform(template)
  for (const resource of Object.values(template.Resources ?? {})) {
    if (NESTED_TYPES.has(resource.Type)) autoExpand = true
    if (!Object.hasOwn(IAM_TYPES, resource.Type)) continue
    const nameProperty = IAM_TYPES[resource.Type]
    if (nameProperty !== undefined && resource.Properties?.[nameProperty] !== undefined) namedIam = true
    else iam = true
  }

  if (autoExpand) {
    iam = true
    namedIam = true
  }

  const capabilities: StackCapability[] = []
  if (iam && !namedIam) capabilities.push('CAPABILITY_IAM')
  if (namedIam) capabilities.push('CAPABILITY_NAMED_IAM')
  if (autoExpand) capabilities.push('CAPABILITY_AUTO_EXPAND')
  return capabilities
}
