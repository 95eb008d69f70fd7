import assert from 'node:assert/strict'

import {parseTemplate} from '../../../src/lib/project/index.js'
import {projectSettings} from '../../../src/lib/routes/settings.js'
import {planProject, type RawInitOptions, resolveInitOptions} from '../../../src/lib/scaffold/index.js'

function settingsOf(options: RawInitOptions) {
  const plan = planProject(resolveInitOptions({name: 'chat', ...options}))
  return projectSettings(
    parseTemplate(plan.files.find((file) => file.path === 'template.yaml')!.contents, 'template.yaml'),
  )
}

describe('route settings from the template', () => {
  it("copies the project's function settings, table, rate limit and fan-out", () => {
    assert.deepEqual(
      settingsOf({
        arch: 'x86_64',
        idAttribute: 'cid',
        logRetention: 30,
        memory: 512,
        rateBurst: 7,
        rateLimit: '30/m',
        reservedConcurrency: 5,
        runtime: 'nodejs24.x',
        tableEnv: 'TABLE',
        timeout: 10,
      }),
      {
        architecture: 'x86_64',
        fanout: {inlineMax: '250', postsPerSecond: '9000', shards: '16'},
        idAttribute: 'cid',
        logRetention: 30,
        memorySize: 512,
        rateLimit: {burst: '7', rate: '30/m'},
        reservedConcurrency: 5,
        runtime: 'nodejs24.x',
        table: 'ConnectionsTable',
        tableEnv: 'TABLE',
        timeout: 10,
      },
    )
  })

  it('has no rate limit, fan-out or reservation when the project has none', () => {
    const settings = settingsOf({fanoutShards: 1, rateLimit: 'off', reservedConcurrency: 'none'})
    assert.equal(settings.rateLimit, undefined)
    assert.equal(settings.fanout, undefined)
    assert.equal(settings.reservedConcurrency, undefined)
  })

  it('finds the memberships table of a --rooms project, and the index by principal when it authorizes connections', () => {
    assert.equal(settingsOf({}).rooms, undefined)
    assert.deepEqual(settingsOf({rooms: true}).rooms, {principalIndex: false, table: 'MembershipsTable'})
    const authorized = settingsOf({auth: 'jwt', rooms: true})
    assert.deepEqual(authorized.rooms, {principalIndex: true, table: 'MembershipsTable'})
    assert.equal(authorized.table, 'ConnectionsTable')
  })

  it("takes init's defaults for a rate limit when no broadcast route is left to copy", () => {
    assert.deepEqual(settingsOf({routes: ''}).rateLimit, {burst: '20', rate: '10/s'})
  })
})
