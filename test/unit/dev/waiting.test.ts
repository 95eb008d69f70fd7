import assert from 'node:assert/strict'

import {WaitingLines} from '../../../src/lib/dev/waiting.js'

const item = (caller: string, name: string, length = 1) => ({caller, length, name})

describe('dev: invocations waiting for an environment', () => {
  it('are served one caller at a time, in turn, each caller in its own order', () => {
    const lines = new WaitingLines<ReturnType<typeof item>>()
    for (const each of [item('a', 'a1'), item('a', 'a2'), item('a', 'a3'), item('b', 'b1'), item('c', 'c1')])
      lines.add(each)
    const served: string[] = []
    for (let next = lines.next(); next; next = lines.next()) served.push(next.name)
    assert.deepEqual(served, ['a1', 'b1', 'c1', 'a2', 'a3'])
    assert.equal(lines.count, 0)
    assert.equal(lines.length, 0)
  })

  it('count items and sizes, and let a waiting item be removed once', () => {
    const lines = new WaitingLines<ReturnType<typeof item>>()
    const big = item('a', 'big', 100)
    lines.add(big)
    lines.add(item('b', 'small', 5))
    assert.equal(lines.count, 2)
    assert.equal(lines.length, 105)
    assert.equal(lines.remove(big), true)
    assert.equal(lines.remove(big), false)
    assert.equal(lines.length, 5)
    assert.deepEqual(
      lines.drain().map((each) => each.name),
      ['small'],
    )
    assert.equal(lines.count, 0)
  })

  it("name the newest item of the caller holding the most, when it holds more than another caller's share", () => {
    const lines = new WaitingLines<ReturnType<typeof item>>()
    lines.add(item('hog', 'h1', 50))
    lines.add(item('hog', 'h2', 50))
    lines.add(item('fair', 'f1', 10))
    assert.equal(lines.newestOfLargerThan('fair', 10)?.name, 'h2')
    assert.equal(lines.newestOfLargerThan('hog', 10), undefined)
    assert.equal(lines.newestOfLargerThan('fair', 100), undefined)
  })
})
