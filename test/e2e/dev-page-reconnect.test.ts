import assert from 'node:assert/strict'

import type {BrowserContext} from 'playwright-core'

import {launchChromium} from '../helpers/chromium.js'
import {connect, type DevProcess, startDev} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

describe('wsapi dev: the chat page reconnects, sends JSON as typed, and has no favicon error', function () {
  this.timeout(120_000)
  let dev: DevProcess
  let browser: BrowserContext
  let dir: string

  before(async function () {
    dir = scaffoldProject({routeSelection: '$request.body.action', routes: ['chat']})
    dev = await startDev(dir)
    browser = await launchChromium()
  })

  after(async () => {
    await browser?.close()
    await dev?.stop()
  })

  it('GET /favicon.ico answers 204 (browsers ask for it with every page: a 403 is a console error)', async () => {
    const response = await fetch(new URL('/favicon.ico', dev.ready.pageUrl))
    assert.equal(response.status, 204)
    assert.equal((await fetch(new URL('/elsewhere', dev.ready.pageUrl))).status, 403)
  })

  it('a JSON object typed into the page is sent as typed, a plain line is wrapped with the route (as wsapi connect does)', async () => {
    const page = await browser.newPage()
    await page.goto(dev.ready.pageUrl)
    await page.waitForSelector('#status:text("connected")')
    const bob = await connect(dev.ready.url)
    await page.fill('#text', '{"action":"chat","data":{"n":1}}')
    await page.press('#text', 'Enter')
    assert.equal(await bob.next(), '{"n":1}')
    await page.fill('#text', 'plain')
    await page.press('#text', 'Enter')
    assert.equal(await bob.next(), '"plain"')
    assert.deepEqual(await page.$$eval('#log li.out', (items) => items.map((item) => item.textContent)), [
      '{"action":"chat","data":{"n":1}}',
      '{"action":"chat","data":"plain"}',
    ])
    bob.close()
    await page.close()
  })

  it('after wsapi dev restarts, the page reconnects by itself with backoff and says so', async () => {
    const page = await browser.newPage()
    await page.goto(dev.ready.pageUrl)
    await page.waitForSelector('#status:text("connected")')
    const {port} = dev.ready
    assert.equal(await dev.stop('SIGINT'), 0)
    await page.waitForSelector(
      '#log li.info:text-matches("closed: 1001 Going away; reconnecting in \\\\d+\\\\.\\\\d s \\\\(attempt 1\\\\)")',
    )
    // Enter while closed is not silent.
    await page.fill('#text', 'while down')
    await page.press('#text', 'Enter')
    await page.waitForSelector('#log li.error:text("not connected: not sent; reconnecting now")')

    dev = await startDev(dir, ['--port', String(port)])
    await page.waitForSelector('#status:text("connected")', {timeout: 60_000})
    await page.waitForSelector(`#log li.info:text("reconnected to ws://127.0.0.1:${port}/v1")`)
    const bob = await connect(dev.ready.url)
    await page.fill('#text', 'back again')
    await page.press('#text', 'Enter')
    assert.equal(await bob.next(), '"back again"')
    bob.close()
    await page.close()
  })
})
