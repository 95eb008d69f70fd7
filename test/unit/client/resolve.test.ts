import assert from 'node:assert/strict'

import {resolveClientTarget} from '../../../src/lib/client/resolve.js'
import {scaffoldProject} from '../../helpers/project.js'
import {tempDir} from '../../helpers/tmp.js'

describe('client target, resolved for a fast start', () => {
  it('outside a project, a URL is the whole target: nothing of a template to read', async () => {
    assert.deepEqual(await resolveClientTarget({dir: tempDir(), url: '127.0.0.1:3001/v1'}), {
      source: 'argument',
      url: 'ws://127.0.0.1:3001/v1',
    })
  })

  it("inside a project, a URL still comes with the template's routing", async () => {
    const target = await resolveClientTarget({dir: scaffoldProject(), url: 'ws://127.0.0.1:3001/v1'})
    assert.equal(target.source, 'argument')
    assert.equal(target.route, 'sendmessage')
    assert.deepEqual(target.routeField, ['message'])
  })

  it('without a URL or a project, says what to pass', async () => {
    await assert.rejects(resolveClientTarget({dir: tempDir()}), /No URL given and no template.yaml in .*: pass a URL/)
  })
})
