import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'

import {type BrowserContext, chromium} from 'playwright-core'

import {connect, type DevProcess, startDev} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'
import {tempDir} from '../helpers/tmp.js'

const CHROMIUM = '/usr/bin/chromium'

describe('wsapi dev: the chat page in headless Chromium', function () {
  this.timeout(90_000)
  let dev: DevProcess
  let browser: BrowserContext

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`)
    dev = await startDev(scaffoldProject({routeSelection: '$request.body.action', routes: ['chat']}))
    browser = await chromium.launchPersistentContext(tempDir('wsapi-chromium-'), {
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      executablePath: CHROMIUM,
    })
  })

  after(async () => {
    await browser?.close()
    await dev?.stop()
  })

  it('sends a typed line to a second client, shows that client’s broadcast, and flags error replies', async () => {
    const page = await browser.newPage()
    await page.goto(dev.ready.pageUrl)
    await page.waitForSelector('#status:text("connected")')
    assert.equal(await page.textContent('#route code'), 'chat')
    const bob = await connect(dev.ready.url)

    await page.fill('#text', 'hello from the page')
    await page.press('#text', 'Enter')
    assert.equal(await bob.next(), '"hello from the page"')

    bob.send('{"action":"chat","data":"hi page"}')
    await page.waitForFunction(`[...document.querySelectorAll('#log li.in')].some((item) => item.textContent === '"hi page"')`)

    await page.check('#raw')
    await page.fill('#text', 'not a chat message')
    await page.press('#text', 'Enter')
    const error = await page.waitForSelector('#log li.error')
    assert.match((await error.textContent()) ?? '', /No route matches this message/)
    bob.close()
    await page.close()
  })
})
