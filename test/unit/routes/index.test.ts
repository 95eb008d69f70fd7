import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {parseTemplate} from '../../../src/lib/project/index.js'
import {applyRouteChange, listRoutes, planRouteAdd, planRouteRemove} from '../../../src/lib/routes/index.js'
import {
  formatFiles,
  formatPlan,
  planProject,
  type RawInitOptions,
  resolveInitOptions,
} from '../../../src/lib/scaffold/index.js'
import {scaffoldProject} from '../../helpers/project.js'

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8')

describe('route add, remove and list', () => {
  it('adds an echo route with its handler and test, lists it, and removes it keeping the files', async () => {
    const dir = scaffoldProject()
    const original = read(dir, 'template.yaml')
    const originalDefault = [read(dir, 'src/handlers/default.ts'), read(dir, 'test/default.test.ts')]
    const added = await planRouteAdd(dir, {key: 'chat/join', start: 'echo', twoWay: false})
    assert.deepEqual(
      added.files.map((file) => file.path),
      [
        'template.yaml',
        'src/handlers/chat-join.ts',
        'test/chat-join.test.ts',
        'src/handlers/default.ts',
        'test/default.test.ts',
      ],
    )
    assert.equal(read(dir, 'template.yaml'), original, 'planning writes nothing')
    applyRouteChange(dir, added)
    // $default tells senders the new route too, and its test expects it.
    assert.match(
      read(dir, 'src/handlers/default.ts'),
      /^export const ROUTES: string\[\] = \["sendmessage", "chat\/join"\]$/m,
    )
    assert.match(
      read(dir, 'test/default.test.ts'),
      /^ {4}assert\.deepEqual\(ROUTES, \["sendmessage", "chat\/join"\]\)$/m,
    )
    assert.match(
      read(dir, 'src/handlers/chat-join.ts'),
      /postToConnection\(client, connectionId, JSON.stringify\(message.data\)\)/,
    )
    assert.match(
      read(dir, 'src/handlers/chat-join.ts'),
      /export const EXAMPLE = '\{"message":"chat\/join","data":"hello"\}'/,
    )
    assert.deepEqual(listRoutes(dir).at(-1), {
      file: 'src/handlers/chat-join.ts',
      function: 'ChatJoinFunction',
      key: 'chat/join',
      twoWay: false,
    })

    const removed = planRouteRemove(dir, {deleteFiles: false, key: 'chat/join'})
    applyRouteChange(dir, removed)
    assert.equal(read(dir, 'template.yaml'), original)
    assert.deepEqual([read(dir, 'src/handlers/default.ts'), read(dir, 'test/default.test.ts')], originalDefault)
    assert.deepEqual(removed.kept, ['src/handlers/chat-join.ts', 'test/chat-join.test.ts'])
    assert.ok(existsSync(join(dir, 'src/handlers/chat-join.ts')))

    // Added again: the kept handler is the user's now, and stays as it is.
    writeFileSync(join(dir, 'src/handlers/chat-join.ts'), '// mine\n')
    const again = await planRouteAdd(dir, {key: 'chat/join', start: 'empty', twoWay: false})
    assert.deepEqual(again.kept, ['src/handlers/chat-join.ts', 'test/chat-join.test.ts'])
    assert.deepEqual(
      again.files.map((file) => file.path),
      ['template.yaml', 'src/handlers/default.ts', 'test/default.test.ts'],
    )
    applyRouteChange(dir, again)
    applyRouteChange(dir, planRouteRemove(dir, {deleteFiles: true, key: 'chat/join'}))
    assert.equal(existsSync(join(dir, 'src/handlers/chat-join.ts')), false)
    assert.equal(existsSync(join(dir, 'test/chat-join.test.ts')), false)
  })

  it('writes a broadcast handler like the ones init writes, and a two-way route', async () => {
    const dir = scaffoldProject()
    const change = await planRouteAdd(dir, {key: 'shout', start: 'broadcast', twoWay: true})
    const handler = change.files.find((file) => file.path === 'src/handlers/shout.ts')!.contents
    const [generated] = await formatFiles([
      {contents: read(dir, 'src/handlers/sendmessage.ts'), path: 'src/handlers/sendmessage.ts'},
    ])
    assert.equal(handler, generated.contents.replaceAll('sendmessage', 'shout'))
    applyRouteChange(dir, change)
    assert.equal(listRoutes(dir).find((route) => route.key === 'shout')?.twoWay, true)
  })

  for (const [what, options] of [
    ['a --rooms project', {rooms: true}],
    [
      'a --rooms --auth jwt project with its own selection expression',
      {auth: 'jwt', rooms: true, routeSelection: '$request.body.action'},
    ],
  ] as Array<[string, RawInitOptions]>) {
    it(`in ${what}: a broadcast route's function, role, handler and test are those init writes for a second custom route`, async () => {
      // What init writes for `--routes sendmessage,shout`, formatted as init writes it.
      const init = await formatPlan(
        planProject(resolveInitOptions({name: 'chat', ...options, routes: 'sendmessage,shout'})),
      )
      const initFile = (path: string) => init.files.find((file) => file.path === path)!.contents
      const dir = scaffoldProject(options)
      const change = await planRouteAdd(dir, {key: 'shout', start: 'broadcast', twoWay: false})
      const added = (path: string) => change.files.find((file) => file.path === path)!.contents
      const resources = (template: string) => parseTemplate(template, 'template.yaml').Resources
      const [fromInit, fromAdd] = [resources(initFile('template.yaml')), resources(added('template.yaml'))]
      for (const id of ['ShoutFunction', 'ShoutLogGroup', 'ShoutRole']) assert.deepEqual(fromAdd[id], fromInit[id], id)
      const grants = (template: string) => /^ {2}# Least privilege: .*\n {2}ShoutRole:$/m.exec(template)?.[0]
      assert.ok(grants(initFile('template.yaml')))
      assert.equal(grants(added('template.yaml')), grants(initFile('template.yaml')))
      assert.equal(added('src/handlers/shout.ts'), initFile('src/handlers/shout.ts'))
      assert.equal(added('test/shout.test.ts'), initFile('test/shout.test.ts'))
    })
  }

  it("shows senders a message that selects the route with the project's own selection expression", async () => {
    const dir = scaffoldProject({routeSelection: '$request.body.action'})
    const change = await planRouteAdd(dir, {key: 'join', start: 'empty', twoWay: false})
    assert.match(
      change.files.find((file) => file.path === 'src/handlers/join.ts')!.contents,
      /export const EXAMPLE = '\{"action":"join","data":"hello"\}'/,
    )
  })

  for (const [what, key, code, pattern] of [
    ['an existing route', 'sendmessage', 'ROUTE_EXISTS', /already exists/],
    ['a reserved key', '$default', 'INVALID_ROUTE', /API Gateway's own/],
    ['an invalid key', 'a b', 'INVALID_ROUTE', /Invalid route "a b"/],
    ['a wildcard', 'a*', 'INVALID_ROUTE', /wildcard/],
  ] as const) {
    it(`refuses ${what} (exit 2) and writes nothing`, async () => {
      const dir = scaffoldProject()
      const original = read(dir, 'template.yaml')
      await assert.rejects(
        planRouteAdd(dir, {key, start: 'echo', twoWay: false}),
        (error: Error & {code: string; exit: number}) => {
          assert.equal(error.code, code)
          assert.equal(error.exit, 2)
          assert.match(error.message, pattern)
          assert.doesNotMatch(error.message, /\n/)
          return true
        },
      )
      assert.equal(read(dir, 'template.yaml'), original)
    })
  }

  it('refuses to remove $connect or $disconnect while an authorizer needs them, and a route that is not there', () => {
    const dir = scaffoldProject({auth: 'token'})
    for (const key of ['$connect', '$disconnect']) {
      assert.throws(() => planRouteRemove(dir, {deleteFiles: false, key}), {
        code: 'ROUTE_IN_USE',
        message: /authorizer/,
      })
    }

    assert.throws(() => planRouteRemove(dir, {deleteFiles: false, key: 'nope'}), {
      code: 'NO_ROUTE',
      message: /routes: \$connect, \$disconnect, sendmessage, \$default/,
    })
  })

  it('says where to run it when there is no template.yaml', async () => {
    await assert.rejects(planRouteAdd(join(scaffoldProject(), 'src'), {key: 'x', start: 'echo', twoWay: false}), {
      code: 'NO_PROJECT',
    })
  })
})
