import assert from 'node:assert/strict'

import {type CfnTemplate, parseTemplate} from '../../../src/lib/project/index.js'
import {resolveCustomDomain} from '../../../src/lib/scaffold/custom-domain.js'
import {planProject, type RawInitOptions, resolveInitOptions} from '../../../src/lib/scaffold/index.js'
import {validateAgainstSpec} from '../../helpers/cfn-spec.js'

const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789'

function templateOf(options: RawInitOptions = {}): CfnTemplate {
  const plan = planProject(resolveInitOptions({name: 'chat', ...options}))
  return parseTemplate(plan.files.find((file) => file.path === 'template.yaml')!.contents, 'template.yaml')
}

describe('custom domain', () => {
  it('takes the domain as API Gateway does (lower case, no trailing dot) and a zone id with or without /hostedzone/', () => {
    assert.equal(resolveCustomDomain({}), undefined)
    assert.deepEqual(
      resolveCustomDomain({
        certificateArn: ` ${CERTIFICATE} `,
        domain: 'Chat.Example.com.',
        hostedZoneId: '/hostedzone/Z0123ABC',
      }),
      {certificateArn: CERTIFICATE, hostedZoneId: 'Z0123ABC', name: 'chat.example.com'},
    )
    assert.deepEqual(resolveCustomDomain({certificateArn: CERTIFICATE, domain: 'chat.example.com'}), {
      certificateArn: CERTIFICATE,
      name: 'chat.example.com',
    })
  })

  it('declares DomainName, CertificateArn and HostedZoneId with empty defaults, so that `deploy --parameter` can set them later', () => {
    const template = templateOf()
    assert.deepEqual(
      ['DomainName', 'CertificateArn', 'HostedZoneId'].map((name) => template.Parameters?.[name]?.Default),
      ['', '', ''],
    )
    assert.deepEqual(template.Conditions?.HasCustomDomain, {'Fn::Not': [{'Fn::Equals': [{Ref: 'DomainName'}, '']}]})
    assert.deepEqual(validateAgainstSpec(template, {allowLocalCode: true}), [])
  })

  for (const [what, options] of [
    ['a domain', {certificateArn: CERTIFICATE, domain: 'Chat.Example.com'}],
    [
      'a domain and a hosted zone, with token auth',
      {auth: 'token', certificateArn: CERTIFICATE, domain: 'chat.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ'},
    ],
  ] as Array<[string, RawInitOptions]>) {
    it(`with ${what}: a conditional domain name, API mapping and alias record, and a WebSocketUrl on the domain; passes the spec check`, () => {
      const template = templateOf(options)
      assert.equal(template.Parameters?.DomainName?.Default, 'chat.example.com')
      assert.equal(template.Parameters?.CertificateArn?.Default, CERTIFICATE)
      assert.equal(template.Parameters?.HostedZoneId?.Default, options.hostedZoneId ?? '')
      const {CustomDomain, CustomDomainMapping, CustomDomainRecord} = template.Resources
      assert.equal(CustomDomain.Condition, 'HasCustomDomain')
      assert.deepEqual(CustomDomain.Properties?.DomainNameConfigurations, [
        {CertificateArn: {Ref: 'CertificateArn'}, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2'},
      ])
      assert.equal(CustomDomainMapping.Condition, 'HasCustomDomain')
      assert.deepEqual(CustomDomainMapping.Properties, {
        ApiId: {Ref: 'WebSocketApi'},
        DomainName: {Ref: 'CustomDomain'},
        Stage: {Ref: 'Stage'},
      })
      assert.equal(CustomDomainRecord.Condition, 'HasHostedZone')
      assert.deepEqual(template.Outputs?.WebSocketUrl.Value, {
        'Fn::If': [
          'HasCustomDomain',
          {'Fn::Sub': 'wss://${DomainName}'},
          {'Fn::Sub': 'wss://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}'},
        ],
      })
      if (options.auth === 'token') assert.ok(template.Conditions?.GenerateAuthToken, 'the token condition is kept')
      assert.deepEqual(validateAgainstSpec(template, {allowLocalCode: true}), [])
      // The template's own patterns accept what init accepts.
      for (const name of ['DomainName', 'CertificateArn', 'HostedZoneId']) {
        const parameter = template.Parameters![name]
        assert.match(String(parameter.Default), new RegExp(String(parameter.AllowedPattern)), name)
      }
    })
  }

  for (const [what, options, pattern] of [
    ['a domain without a certificate', {domain: 'chat.example.com'}, /--domain needs --certificate-arn/],
    ['a certificate without a domain', {certificateArn: CERTIFICATE}, /go with --domain/],
    ['a malformed domain', {certificateArn: CERTIFICATE, domain: 'chat..example'}, /Invalid domain "chat..example"/],
    ['a wildcard domain', {certificateArn: CERTIFICATE, domain: '*.example.com'}, /Invalid domain/],
    [
      'a malformed certificate ARN',
      {certificateArn: 'arn:aws:iam::123456789012:role/x', domain: 'chat.example.com'},
      /Invalid certificate ARN/,
    ],
    [
      'a malformed hosted zone id',
      {certificateArn: CERTIFICATE, domain: 'chat.example.com', hostedZoneId: 'zone-1'},
      /Invalid hosted zone id/,
    ],
  ] as Array<[string, RawInitOptions, RegExp]>) {
    it(`refuses ${what} (exit 2, one line)`, () => {
      assert.throws(
        () => resolveInitOptions({name: 'chat', ...options}),
        (error: Error & {exit: number}) => {
          assert.equal(error.exit, 2)
          assert.match(error.message, pattern)
          assert.doesNotMatch(error.message, /\n/)
          return true
        },
      )
    })
  }
})
