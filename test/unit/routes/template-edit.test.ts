import assert from 'node:assert/strict'

import {type CfnTemplate, parseTemplate, rehashDeployment} from '../../../src/lib/project/index.js'
import {functionResourcesYaml, type NewRoute, routeResourcesYaml} from '../../../src/lib/routes/resources.js'
import {projectSettings} from '../../../src/lib/routes/settings.js'
import {addRouteResources, removeRouteResources} from '../../../src/lib/routes/template-edit.js'
import {formatPlan, planProject, type RawInitOptions, resolveInitOptions} from '../../../src/lib/scaffold/index.js'
import {validateAgainstSpec} from '../../helpers/cfn-spec.js'

async function templateText(options: RawInitOptions = {}, formatted = true): Promise<string> {
  const plan = planProject(resolveInitOptions({name: 'chat', ...options}))
  const files = formatted ? (await formatPlan(plan)).files : plan.files
  return files.find((file) => file.path === 'template.yaml')!.contents
}

function add(text: string, route: NewRoute): string {
  const settings = projectSettings(parseTemplate(text, 'template.yaml'))
  return addRouteResources(text, {
    awaited: [`${route.id}Route`, ...(route.twoWay ? [`${route.id}RouteResponse`] : [])],
    functionYaml: functionResourcesYaml(route, settings),
    key: route.key,
    routeYaml: routeResourcesYaml(route),
  })
}

function remove(text: string, route: NewRoute): string {
  const ids = [
    `${route.id}Route`,
    ...(route.twoWay ? [`${route.id}RouteResponse`] : []),
    `${route.id}Integration`,
    `${route.id}Permission`,
    `${route.id}Function`,
    `${route.id}LogGroup`,
    `${route.id}Role`,
  ]
  return removeRouteResources(text, {
    awaited: [`${route.id}Route`, ...(route.twoWay ? [`${route.id}RouteResponse`] : [])],
    ids,
    key: route.key,
  })
}

const JOIN: NewRoute = {file: 'chat-join', id: 'ChatJoin', key: 'chat/join', start: 'echo', twoWay: true}
const PING: NewRoute = {file: 'ping', id: 'Ping', key: 'ping', start: 'broadcast', twoWay: false}
const NOTE: NewRoute = {file: 'note', id: 'Note', key: 'note', start: 'empty', twoWay: false}

const deploymentOf = (template: CfnTemplate) =>
  Object.entries(template.Resources).find(([, resource]) => resource.Type === 'AWS::ApiGatewayV2::Deployment')!

describe('route template edits', () => {
  for (const [what, options] of [
    ['defaults', {}],
    ['token auth, no fan-out, no rate limit', {auth: 'token', fanoutShards: 1, rateLimit: 'off'}],
    ['jwt auth, no $default', {auth: 'jwt', defaultRoute: false}],
  ] as Array<[string, RawInitOptions]>) {
    it(`adds routes that pass the CloudFormation spec check, and removing them gives the original text back (${what})`, async () => {
      const original = await templateText(options)
      const withRoutes = add(add(add(original, JOIN), PING), NOTE)
      const template = parseTemplate(withRoutes, 'template.yaml')
      assert.deepEqual(validateAgainstSpec(template, {allowLocalCode: true}), [])
      for (const id of [
        'ChatJoinRoute',
        'ChatJoinRouteResponse',
        'ChatJoinIntegration',
        'ChatJoinPermission',
        'ChatJoinFunction',
        'ChatJoinLogGroup',
        'ChatJoinRole',
        'PingRoute',
        'NoteRole',
      ]) {
        assert.ok(id in template.Resources, id)
      }

      assert.equal(remove(remove(remove(withRoutes, NOTE), PING), JOIN), original)
      // In another order too: each removal takes out only its own route.
      assert.equal(remove(remove(remove(withRoutes, PING), JOIN), NOTE), original)
    })
  }

  it('names the deployment as `wsapi build` does, and makes it wait for the new route and its response', async () => {
    const template = parseTemplate(add(await templateText(), JOIN), 'template.yaml')
    const [id, deployment] = deploymentOf(template)
    assert.equal(rehashDeployment(template).to, id, 'build would not rename it')
    assert.deepEqual((deployment.DependsOn as string[]).slice(-2), ['ChatJoinRoute', 'ChatJoinRouteResponse'])
    assert.match(String(deployment.Properties!.Description), /, chat\/join$/)
    const stage = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::ApiGatewayV2::Stage')!
    assert.deepEqual(stage.Properties!.DeploymentId, {Ref: id})
    assert.notEqual(id, deploymentOf(parseTemplate(await templateText(), 'template.yaml'))[0])
  })

  it("keeps the user's comments, formatting and edits elsewhere in the file", async () => {
    const original = (await templateText())
      .replace('  Stage:\n', '  # Our production stage: do not rename.\n  Stage:\n')
      .replace('      MemorySize: 256\n', '      MemorySize: 1024 # the connect handler warms a cache\n')
      .replace('Outputs:\n', "Outputs:\n  Extra:\n    Value: !Sub 'custom-${WebSocketApi}' # single quotes\n")
    const edited = add(original, PING)
    for (const line of [
      '  # Our production stage: do not rename.',
      '      MemorySize: 1024 # the connect handler warms a cache',
      "    Value: !Sub 'custom-${WebSocketApi}' # single quotes",
    ]) {
      assert.ok(edited.includes(line), line)
    }

    assert.equal(remove(edited, PING), original)
  })

  it('writes what Prettier would write, so that the project stays formatted', async () => {
    const prettier = await import('prettier')
    const edited = add(add(await templateText(), JOIN), PING)
    const formatted = await prettier.format(edited, {
      parser: 'yaml',
      printWidth: 120,
      singleQuote: false,
      bracketSpacing: false,
    })
    assert.equal(edited, formatted)
  })

  it('gives a broadcast function the grants of the generated ones, and an echo or empty one only what it uses', async () => {
    const template = parseTemplate(add(add(add(await templateText(), JOIN), PING), NOTE), 'template.yaml')
    const actions = (role: string) =>
      (
        template.Resources[role].Properties!.Policies as Array<{
          PolicyDocument: {Statement: Array<{Action: string | string[]}>}
        }>
      ).flatMap((policy) => policy.PolicyDocument.Statement.flatMap((statement) => statement.Action))
    assert.deepEqual(actions('PingRole'), actions('SendmessageRole'))
    assert.deepEqual(template.Resources.PingFunction.Properties!.Environment, {
      ...(template.Resources.SendmessageFunction.Properties!.Environment as object),
    })
    // Two-way echo: the reply is the function's body; no @connections, no table.
    assert.deepEqual(actions('ChatJoinRole'), ['logs:CreateLogStream', 'logs:PutLogEvents'])
    assert.deepEqual(actions('NoteRole'), ['logs:CreateLogStream', 'logs:PutLogEvents'])
    const echoOneWay = parseTemplate(add(await templateText(), {...JOIN, twoWay: false}), 'template.yaml')
    const policies = echoOneWay.Resources.ChatJoinRole.Properties!.Policies as Array<{PolicyName: string}>
    assert.deepEqual(
      policies.map((policy) => policy.PolicyName),
      ['logs', 'post-to-connections'],
    )
    assert.deepEqual(
      (template.Resources.ChatJoinPermission.Properties!.SourceArn as {'Fn::Sub': string})['Fn::Sub']
        .split('/')
        .slice(-3),
      ['${StageName}', 'chat', 'join'],
    )
  })

  it('works on a template not formatted by Prettier (single quotes), keeping its quotes', async () => {
    const original = await templateText({}, false)
    assert.match(original, /AWSTemplateFormatVersion: '2010-09-09'/)
    const edited = add(original, JOIN)
    assert.match(edited, /AWSTemplateFormatVersion: '2010-09-09'/)
    assert.equal(remove(edited, JOIN), original)
  })

  it('refuses a resource name the template already uses', async () => {
    const original = (await templateText()).replace(
      '  ConnectionsTable:\n',
      '  PingRole:\n    Type: AWS::SNS::Topic\n\n  ConnectionsTable:\n',
    )
    assert.throws(() => add(original, PING), {code: 'ROUTE_EXISTS', message: /already has a resource named PingRole/})
  })

  it("refuses to remove what the user's own resources or outputs refer to", async () => {
    const edited = add(await templateText(), PING).replace(
      'Outputs:\n',
      'Outputs:\n  PingName:\n    Value: !Ref PingFunction\n',
    )
    assert.throws(() => remove(edited, PING), {code: 'ROUTE_IN_USE', message: /output PingName/})
  })
})
