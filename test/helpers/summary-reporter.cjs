// Mocha's spec reporter plus one plain last line, `N passed, N failed[, N skipped]`, that CI reads.
// The same counts go to .test-results.json so that .ci/run can print them after npm's own output.
const {writeFileSync} = require('node:fs')
const Mocha = require('mocha')

const {EVENT_RUN_END} = Mocha.Runner.constants

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options)
    runner.once(EVENT_RUN_END, () => {
      const {failures, passes, pending} = runner.stats
      const line = `${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`
      try {
        writeFileSync('.test-results.json', JSON.stringify({failed: failures, line, passed: passes, skipped: pending}) + '\n')
      } catch {}
      // After the spec reporter's epilogue (which also runs on EVENT_RUN_END).
      process.nextTick(() => console.log(line))
    })
  }
}

module.exports = SummaryReporter
