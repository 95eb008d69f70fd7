// Mocha's spec reporter plus one plain last line, `N passed, N failed[, N skipped]`, that CI reads.
// The same counts go to .test-results.json so that .ci/run can print them after npm's own output.
// `npm test` runs the unit suite, then the end-to-end suite with `--reporter-option append=true`: that
// second run adds its counts to the first's, so the file and the last line give both suites together.
const {readFileSync, writeFileSync} = require('node:fs')
const Mocha = require('mocha')

const {EVENT_RUN_END} = Mocha.Runner.constants
const RESULTS_FILE = '.test-results.json'

/** The counts an earlier run of the same `npm test` wrote, or zeros. */
function earlierCounts() {
  try {
    const {failed, passed, skipped} = JSON.parse(readFileSync(RESULTS_FILE, 'utf8'))
    return {failed: failed || 0, passed: passed || 0, skipped: skipped || 0}
  } catch {
    return {failed: 0, passed: 0, skipped: 0}
  }
}

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options)
    const append = String(options?.reporterOption?.append) === 'true'
    runner.once(EVENT_RUN_END, () => {
      const before = append ? earlierCounts() : {failed: 0, passed: 0, skipped: 0}
      const passed = before.passed + runner.stats.passes
      const failed = before.failed + runner.stats.failures
      const skipped = before.skipped + runner.stats.pending
      const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`
      try {
        writeFileSync(RESULTS_FILE, JSON.stringify({failed, line, passed, skipped}) + '\n')
      } catch {}
      // After the spec reporter's epilogue (which also runs on EVENT_RUN_END).
      process.nextTick(() => console.log(line))
    })
  }
}

module.exports = SummaryReporter
