#!/usr/bin/env bash
# The test command of the README and of CI: installs what it needs, then builds, typechecks,
# lints the packages (publint, attw), runs every test and a quick benchmark smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-pnpm.sh
source scripts/ensure-chromium.sh
source scripts/ensure-redis.sh

pnpm install --frozen-lockfile
# Build first: typecheck resolves sibling packages through their built declarations.
pnpm build
bash scripts/pack-check.sh # the packages as users get them: pnpm pack, npm install outside the workspace, each entry, the bin
pnpm typecheck
pnpm lint
report="$(mktemp)"
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
# A smoke run of the benchmarks: it checks that the suite runs, not its figures.
pnpm bench --quick || status=1
# The last line counts the tests, in the plain form CI reads.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" || status=1
rm -f "$report"
exit "$status"
