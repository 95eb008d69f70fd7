import {existsSync} from 'node:fs'

import {type BrowserContext, chromium} from 'playwright-core'

import {tempDir} from './tmp.js'

/** Debian's chromium, which .ci/run installs: tests never download a browser. */
const CHROMIUM = '/usr/bin/chromium'

/** Headless Chromium with a fresh profile and nothing of its own on the network; `args` are added to the defaults. */
export async function launchChromium(args: string[] = []): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`)
  return chromium.launchPersistentContext(tempDir('wsapi-chromium-'), {
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
    executablePath: CHROMIUM,
  })
}
