#!/usr/bin/env bash
# The project's test command (README): restores, builds and runs every test project, one at a
# time so the crash and process tests get the machine's two cores to themselves, then the Node
# interop tests (needs node and npm).
# Usage: tools/test.sh [extra dotnet test arguments, e.g. --filter ...]
set -euo pipefail
cd "$(dirname "$0")/.."

configuration=Release

# PostgreSQL for the storage and cluster tests: installed if missing, started, role and database
# created (all idempotent); the tests read the connection string from PRODUCTOPS_TEST_POSTGRES.
if [ -z "${PRODUCTOPS_TEST_POSTGRES:-}" ]; then
  PRODUCTOPS_TEST_POSTGRES=$(bash tools/postgres.sh)
fi
export PRODUCTOPS_TEST_POSTGRES

# promtool (Debian's prometheus package) evaluates deploy/prometheus's alerting rules in their tests.
if ! command -v promtool >/dev/null 2>&1; then
  echo "installing promtool (prometheus)" >&2
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >&2
fi

dotnet restore ProductOps.sln
dotnet build ProductOps.sln -c "$configuration" --no-restore

passed=0
failed=0
status=0
for project in tests/*.Tests/*.Tests.csproj; do
  echo "=== $project"
  log=$(mktemp)
  # A test that hangs fails its project after 10 minutes (the longest test takes ~2) instead of
  # holding the run until CI's own limit.
  if ! dotnet test "$project" -c "$configuration" --no-build --blame-hang-timeout 10m --blame-hang-dump-type none "$@" 2>&1 | tee "$log"; then
    status=1
  fi
  # "Passed!  - Failed:     0, Passed:   103, Skipped: ..." -> add up the counts.
  counts=$(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -n 1 || true)
  if [ -z "$counts" ]; then
    echo "no test summary from $project"
    status=1
  else
    failed=$((failed + $(echo "$counts" | awk '{print $2}' | tr -d ',')))
    passed=$((passed + $(echo "$counts" | awk '{print $4}')))
  fi
  rm -f "$log"
done

# The contract from another language: a grpc-js client against the real node.
echo "=== tests/interop (Node, grpc-js)"
log=$(mktemp)
if ! (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error && PRODUCTOPS_CONFIGURATION="$configuration" node --test) 2>&1 | tee "$log"; then
  status=1
fi
node_passed=$(grep -Eo '^# pass [0-9]+' "$log" | awk '{print $3}' || true)
node_failed=$(grep -Eo '^# fail [0-9]+' "$log" | awk '{print $3}' || true)
if [ -z "$node_passed" ]; then
  echo "no test summary from tests/interop"
  status=1
else
  passed=$((passed + node_passed))
  failed=$((failed + ${node_failed:-0}))
fi
rm -f "$log"

echo "$passed passed, $failed failed"
exit $status
