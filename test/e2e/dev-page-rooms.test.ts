import assert from 'node:assert/strict'

import type {BrowserContext} from 'playwright-core'

import {launchChromium} from '../helpers/chromium.js'
import {connect, type DevProcess, startDev, type TestClient} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

describe('wsapi dev: the chat page of a `wsapi init --rooms` project in headless Chromium, with two rooms', function () {
  this.timeout(120_000)
  let dev: DevProcess
  let browser: BrowserContext

  before(async () => {
    dev = await startDev(scaffoldProject({rooms: true}))
    browser = await launchChromium()
  })

  after(async () => {
    await browser?.close()
    await dev?.stop()
  })

  /** A ws client in `room`, with its connection id. */
  const inRoom = async (room: string): Promise<{client: TestClient; id: string}> => {
    const client = await connect(dev.ready.url)
    client.send(JSON.stringify({message: 'join', room}))
    assert.equal(await client.next(), JSON.stringify({joined: room}))
    client.send('{"message":"whoami"}')
    return {client, id: (JSON.parse(await client.next()) as {connectionId: string}).connectionId}
  }

  it('joins rooms a and b, sends to the room in view only, tags each message with its room, and leaves', async () => {
    const page = await browser.newPage()
    await page.goto(dev.ready.pageUrl)
    await page.waitForSelector('#status:text("connected")')
    assert.equal(await page.isVisible('#rooms'), true)
    const bob = await inRoom('a')
    const carol = await inRoom('b')

    for (const room of ['a', 'b']) {
      await page.fill('#room-name', room)
      await page.click('#join')
      await page.waitForSelector(`#tabs button[data-room="${room}"][aria-pressed="true"]`)
    }

    // Room b is in view (the last joined): a typed line goes to carol, not bob.
    await page.fill('#text', 'to b')
    await page.press('#text', 'Enter')
    const toB = JSON.parse(await carol.client.next()) as {data: unknown; from: string; room: string}
    assert.deepEqual([toB.room, toB.data], ['b', 'to b'])
    // Then a in view: to bob, not carol.
    await page.click('#tabs button[data-room="a"]')
    await page.fill('#text', 'to a')
    await page.press('#text', 'Enter')
    assert.deepEqual(JSON.parse(await bob.client.next()), {room: 'a', from: toB.from, data: 'to a'})

    // Messages from either room arrive tagged with it.
    bob.client.send(JSON.stringify({message: 'sendmessage', room: 'a', data: 'from bob'}))
    carol.client.send(JSON.stringify({message: 'sendmessage', room: 'b', data: 'from carol'}))
    await page.waitForSelector(`#log li[data-room="a"]:text("${bob.id}: \\"from bob\\"")`)
    await page.waitForSelector(`#log li[data-room="b"]:text("${carol.id}: \\"from carol\\"")`)
    assert.equal(await page.textContent(`#log li[data-room="a"]:has-text("from bob") .tag`), '#a')
    // bob and carol each got their own room's message, and nothing from the other room.
    assert.deepEqual(JSON.parse(await bob.client.next()), {room: 'a', from: bob.id, data: 'from bob'})
    assert.deepEqual(JSON.parse(await carol.client.next()), {room: 'b', from: carol.id, data: 'from carol'})

    // Leaving a: its tab goes, everyone is in view again, and bob's next message to a no longer reaches the page.
    await page.click('#leave')
    await page.waitForSelector('#tabs button[data-room=""][aria-pressed="true"]')
    assert.equal(await page.$('#tabs button[data-room="a"]'), null)
    bob.client.send(JSON.stringify({message: 'sendmessage', room: 'a', data: 'after leaving'}))
    assert.deepEqual(JSON.parse(await bob.client.next()), {room: 'a', from: bob.id, data: 'after leaving'})
    carol.client.send(JSON.stringify({message: 'sendmessage', room: 'b', data: 'still in b'}))
    await page.waitForSelector('#log li[data-room="b"]:has-text("still in b")')
    assert.equal(await page.$('#log li:has-text("after leaving")'), null)
    bob.client.close()
    carol.client.close()
    await page.close()
  })

  it('has no rooms bar in a project without --rooms', async () => {
    const plain = await startDev(scaffoldProject())
    try {
      const page = await browser.newPage()
      await page.goto(plain.ready.pageUrl)
      await page.waitForSelector('#status:text("connected")')
      assert.equal(await page.isVisible('#rooms'), false)
      await page.close()
    } finally {
      await plain.stop()
    }
  })
})
