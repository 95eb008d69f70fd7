import assert from 'node:assert/strict'

import {editRouteList} from '../../../src/lib/routes/default-route.js'

const HANDLER = "export const EXAMPLE = '{}'\nexport const ROUTES: string[] = ['sendmessage']\n"
const TEST = "    assert.deepEqual(reply.routes, ROUTES)\n    assert.deepEqual(ROUTES, ['sendmessage'])\n"

describe('the $default route list', () => {
  it('adds and removes a key in the handler and in its test, giving the text back', () => {
    const handler = editRouteList(HANDLER, {add: 'chat/join'})!
    assert.equal(handler, "export const EXAMPLE = '{}'\nexport const ROUTES: string[] = ['sendmessage', 'chat/join']\n")
    assert.equal(editRouteList(handler, {remove: 'chat/join'}), HANDLER)
    const test = editRouteList(TEST, {add: 'join'})!
    assert.equal(
      test,
      "    assert.deepEqual(reply.routes, ROUTES)\n    assert.deepEqual(ROUTES, ['sendmessage', 'join'])\n",
    )
    assert.equal(editRouteList(test, {remove: 'join'}), TEST)
    assert.equal(
      editRouteList('export const ROUTES: string[] = []\n', {add: 'a'}),
      "export const ROUTES: string[] = ['a']\n",
    )
  })

  it('leaves alone a list the user rewrote, a key it does not hold, and a line Prettier would break', () => {
    assert.equal(editRouteList('export const ROUTES: string[] = routesFromConfig()\n', {add: 'a'}), undefined)
    assert.equal(editRouteList("export const ROUTES: string[] = [...OTHERS, 'a']\n", {add: 'b'}), undefined)
    assert.equal(editRouteList(HANDLER, {remove: 'nope'}), undefined)
    assert.equal(editRouteList(HANDLER, {add: 'x'.repeat(100)}), undefined)
  })
})
