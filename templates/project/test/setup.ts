// Root hooks for every test file (.mocharc.json requires this file first).
import {format} from 'node:util'

import type {Context} from 'mocha'

// The functions run on Lambda's Node.js runtime; the AWS SDK's warning about the Node.js version these tests
// happen to run on is not about them.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const METHODS = ['debug', 'error', 'info', 'log', 'warn'] as const
const original = Object.fromEntries(METHODS.map((method) => [method, console[method]]))
let captured: string[] = []

// The handlers log a JSON line per invocation, as they should on Lambda. Here those lines would be mixed into
// mocha's report: keep them, and print them only under a test that fails.
export const mochaHooks = {
  beforeEach(): void {
    captured = []
    for (const method of METHODS) console[method] = (...args: unknown[]) => void captured.push(format(...args))
  },
  afterEach(this: Context): void {
    Object.assign(console, original)
    if (this.currentTest?.state === 'failed' && captured.length > 0) {
      console.log(`      console output of "${this.currentTest.title}":\n${captured.map((line) => `        ${line}`).join('\n')}`)
    }
  },
}
