import assert from 'node:assert/strict'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import type {BrowserContext} from 'playwright-core'

import {launchChromium} from '../helpers/chromium.js'
import {connect, type DevProcess, startDev} from '../helpers/dev.js'
import {scaffoldProject} from '../helpers/project.js'

describe('wsapi dev: the chat page in headless Chromium', function () {
  this.timeout(90_000)
  let dev: DevProcess
  let browser: BrowserContext

  before(async function () {
    dev = await startDev(scaffoldProject({routeSelection: '$request.body.action', routes: ['chat']}))
    browser = await launchChromium([
      // Names that resolve to this machine, as an attacker's page does by DNS (or by DNS rebinding).
      '--host-resolver-rules=MAP evil.test 127.0.0.1, MAP rebind.test 127.0.0.1',
    ])
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
    await page.waitForFunction(
      `[...document.querySelectorAll('#log li.in')].some((item) => item.textContent === '"hi page"')`,
    )

    await page.check('#raw')
    await page.fill('#text', 'not a chat message')
    await page.press('#text', 'Enter')
    const error = await page.waitForSelector('#log li.error')
    assert.match((await error.textContent()) ?? '', /No route matches this message/)
    bob.close()
    await page.close()
  })

  describe('a page the developer visits cannot drive it (issue 10 §2)', () => {
    let site: Server
    let sitePort: number

    /** Another site on this machine; the page tries the socket and a no-cors POST to @connections, and reports. */
    before(async () => {
      site = createServer((_request, response) => {
        response.writeHead(200, {'Content-Type': 'text/html'})
        response.end(`<!doctype html><title>some site</title><script>
window.tryWebSocket = (url) => new Promise((resolve) => {
  const socket = new WebSocket(url);
  socket.onopen = () => { socket.close(); resolve('open'); };
  socket.onclose = (event) => resolve('closed ' + event.code);
});
window.tryScan = (endpoint, table) => fetch(endpoint, {method: 'POST', headers: {'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.Scan', Authorization: 'AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0', 'X-Amz-Date': '20240101T000000Z'}, body: JSON.stringify({TableName: table})}).then((response) => response.text(), (error) => 'blocked: ' + error.message);
window.tryPost = (url, text) => fetch(url, {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'}, body: text}).then(() => 'answered', (error) => String(error));
</script>`)
      })
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
      sitePort = (site.address() as AddressInfo).port
    })

    after(async () => {
      site.closeAllConnections()
      await new Promise((resolve) => site.close(resolve))
    })

    const lastConnectionId = () => [...dev.stderr.matchAll(/\$connect\s+([\w-]{15}=)/g)].at(-1)![1]

    it('a foreign origin cannot open the WebSocket nor post to @connections; a loopback one (a front-end dev server) can', async () => {
      const page = await browser.newPage()
      await page.goto(`http://localhost:${sitePort}/`)
      assert.equal(await page.evaluate(`tryWebSocket(${JSON.stringify(dev.ready.url)})`), 'open')

      await page.goto(`http://evil.test:${sitePort}/`)
      assert.equal(await page.evaluate(`tryWebSocket(${JSON.stringify(dev.ready.url)})`), 'closed 1006')
      await dev.waitForLog(/Refused a WebSocket connection from Origin "http:\/\/evil\.test:\d+".*--allow-origin/)

      const bob = await connect(dev.ready.url)
      await dev.waitForLog(/\$connect\s+[\w-]{15}=/)
      const target = `${dev.ready.managementEndpoint}/@connections/${encodeURIComponent(lastConnectionId())}`
      assert.equal(await page.evaluate(`tryPost(${JSON.stringify(target)}, 'injected')`), 'answered')
      await dev.waitForLog(/Refused POST .*@connections.*without a SigV4 Authorization header/)
      assert.equal(await bob.receivesWithin(300), false)

      // The embedded DynamoDB: dynalite alone would answer the preflight and the Scan with Access-Control-Allow-Origin: *.
      const table = dev.ready.tables[0].name
      assert.match(
        String(await page.evaluate(`tryScan(${JSON.stringify(dev.ready.dynamodbEndpoint)}, ${JSON.stringify(table)})`)),
        /^blocked: /,
      )
      await dev.waitForLog(/Refused a DynamoDB request with Origin "http:\/\/evil\.test:\d+"/)
      bob.close()
      await page.close()
    })

    it('a name rebound to 127.0.0.1 reaches nothing: neither the chat page nor the WebSocket', async () => {
      const page = await browser.newPage()
      const response = await page.goto(`http://rebind.test:${dev.ready.port}/`)
      assert.equal(response?.status(), 403)
      assert.equal(await page.$('#text'), null)
      // Same-origin for the page, so no Origin check would stop it: the Host check does.
      assert.equal(
        await page.evaluate(
          `new Promise((resolve) => { const socket = new WebSocket('ws://rebind.test:${dev.ready.port}/${dev.ready.stage}'); socket.onopen = () => resolve('open'); socket.onclose = (event) => resolve('closed ' + event.code); })`,
        ),
        'closed 1006',
      )
      await dev.waitForLog(/Refused a WebSocket connection to \/v1 with Host "rebind\.test:\d+"/)
      await page.close()
    })
  })
})
