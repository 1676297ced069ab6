#!/usr/bin/env bash
# The project's test command (README): restores, builds and runs every test project, one at a
# time so the crash and process tests get the machine's two cores to themselves.
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

dotnet restore ProductOps.sln
dotnet build ProductOps.sln -c "$configuration" --no-restore

passed=0
failed=0
status=0
for project in tests/*.Tests/*.Tests.csproj; do
  echo "=== $project"
  log=$(mktemp)
  if ! dotnet test "$project" -c "$configuration" --no-build "$@" 2>&1 | tee "$log"; then
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

echo "$passed passed, $failed failed"
exit $status
