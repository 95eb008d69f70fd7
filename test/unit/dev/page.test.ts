import assert from 'node:assert/strict'

import {chatPage, roomMessages} from '../../../src/lib/dev/page.js'
import {parseRouteSelectionExpression} from '../../../src/lib/project/index.js'

describe('dev chat page', () => {
  it('knows how to join and leave rooms when the project has both routes, under its route selection expression', () => {
    assert.deepEqual(
      roomMessages(parseRouteSelectionExpression('$request.body.message'), [
        '$connect',
        'sendmessage',
        'join',
        'leave',
        'whoami',
      ]),
      {
        join: {message: 'join', room: ''},
        leave: {message: 'leave', room: ''},
      },
    )
    assert.deepEqual(roomMessages(parseRouteSelectionExpression('$request.body.action'), ['join', 'leave']), {
      join: {action: 'join', room: ''},
      leave: {action: 'leave', room: ''},
    })
    assert.equal(
      roomMessages(parseRouteSelectionExpression('$request.body.message'), ['sendmessage', 'join']),
      undefined,
    )
  })

  it('carries the room messages in its configuration, safe inside the script element', () => {
    const html = chatPage({
      project: 'chat',
      rooms: {join: {message: 'join</script>', room: ''}, leave: {message: 'leave', room: ''}},
      stage: 'v1',
    })
    assert.match(html, /"rooms":\{"join":\{"message":"join\\u003c\/script>","room":""\}/)
    assert.match(chatPage({project: 'chat', stage: 'v1'}), /"rooms":null/)
  })
})
