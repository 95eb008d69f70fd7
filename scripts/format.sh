#!/usr/bin/env bash
# `npm run format`: ESLint's fixes, then Prettier over the CLI's own code until it is stable, then `npm run lint`.
# Prettier is not always idempotent (a call chain it breaks on one pass can join on the next), so it runs until
# `prettier --check` agrees, as src/lib/scaffold/format.ts does for the generated project. ESLint does not remove
# disable comments that match nothing: it reports them, for a person to move or delete.
set -euo pipefail
cd "$(dirname "$0")/.."

paths=(src runtime test bench scripts bin eslint.config.js)

npx eslint --fix --fix-type problem,suggestion,layout . || true
for pass in 1 2 3; do
  npx prettier --write --log-level warn "${paths[@]}"
  if npx prettier --check --log-level silent "${paths[@]}"; then break; fi
  [ "$pass" -lt 3 ] || { echo "Prettier did not settle after 3 passes" >&2; exit 1; }
done
npm run --silent lint
