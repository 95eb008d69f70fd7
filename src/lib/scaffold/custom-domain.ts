import {UsageError} from '../errors.js'

/**
 * `wsapi init --domain`: a custom domain name for the API, its ACM certificate and, optionally, the Route 53
 * hosted zone for the alias record; each checked as the template's AllowedPattern checks it.
 */

export interface CustomDomain {
  certificateArn: string
  /** Route 53 hosted zone for the alias record; without it DNS is left to the user. */
  hostedZoneId?: string
  name: string
}

const DOMAIN_NAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,32}$/

/** A domain name as API Gateway takes it (lower case, at most 253 characters, no wildcard); the same check as the template's AllowedPattern. */
export function validateDomainName(value: string): string {
  const name = value.trim().toLowerCase().replace(/\.$/, '')
  if (name.length > 253 || !DOMAIN_NAME.test(name)) {
    throw new UsageError(
      `Invalid domain ${JSON.stringify(value)}: give a domain name such as chat.example.com (letters, digits and "-" between dots).`,
      {code: 'INVALID_DOMAIN'},
    )
  }

  return name
}

export function validateCertificateArn(value: string): string {
  const arn = value.trim()
  if (!CERTIFICATE_ARN.test(arn)) {
    throw new UsageError(
      `Invalid certificate ARN ${JSON.stringify(value)}: give an ACM certificate ARN, e.g. arn:aws:acm:eu-west-1:123456789012:certificate/<id>, in the region you deploy to.`,
      {
        code: 'INVALID_CERTIFICATE_ARN',
      },
    )
  }

  return arn
}

export function validateHostedZoneId(value: string): string {
  const id = value.trim().replace(/^\/hostedzone\//, '')
  if (!HOSTED_ZONE_ID.test(id)) {
    throw new UsageError(
      `Invalid hosted zone id ${JSON.stringify(value)}: give a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ.`,
      {code: 'INVALID_HOSTED_ZONE'},
    )
  }

  return id
}

/** --domain needs --certificate-arn and the other way round; --hosted-zone-id needs --domain. */
export function resolveCustomDomain(raw: {
  certificateArn?: string
  domain?: string
  hostedZoneId?: string
}): CustomDomain | undefined {
  if (raw.domain === undefined && raw.certificateArn === undefined && raw.hostedZoneId === undefined) return undefined
  if (raw.domain === undefined)
    throw new UsageError(
      '--certificate-arn and --hosted-zone-id go with --domain: add --domain chat.example.com, or drop them.',
      {code: 'INVALID_DOMAIN'},
    )
  if (raw.certificateArn === undefined) {
    throw new UsageError(
      '--domain needs --certificate-arn: the ARN of an ACM certificate for the domain, in the region you deploy to.',
      {code: 'INVALID_CERTIFICATE_ARN'},
    )
  }

  return {
    certificateArn: validateCertificateArn(raw.certificateArn),
    ...(raw.hostedZoneId === undefined ? {} : {hostedZoneId: validateHostedZoneId(raw.hostedZoneId)}),
    name: validateDomainName(raw.domain),
  }
}
