#!/usr/bin/env bash
# `npm test` after the build: the unit suite, then the end-to-end suite, both always, so that the last line
# (`N passed, N failed`, also in .test-results.json) counts every test even when the unit suite fails.
# Exits 1 when either suite failed.
set -u
cd "$(dirname "$0")/.."
results=.test-results.json
rm -f "$results"

npm run --silent test:unit
unit=$?
if [ "$unit" -ne 0 ] && [ ! -f "$results" ]; then
  # The unit suite stopped before it could count (a file that does not load): that is one failure.
  echo '{"failed":1,"line":"0 passed, 1 failed","passed":0,"skipped":0}' >"$results"
fi

npx mocha "test/commands/**/*.test.ts" "test/e2e/**/*.test.ts" --reporter-option append=true
e2e=$?

[ "$unit" -eq 0 ] && [ "$e2e" -eq 0 ]
