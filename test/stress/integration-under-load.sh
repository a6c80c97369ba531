#!/usr/bin/env bash
# The integration suite N times in a row (default 5) while busy loops keep every core at 100 %,
# as on a loaded CI machine. Prints each run's count from vitest's JSON report and a total.
# Usage: bash test/stress/integration-under-load.sh [runs]
set -uo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
burners=()
stop_burners() { for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null; done; }
trap stop_burners EXIT
for _ in $(seq "$(nproc)"); do
  node -e 'for (;;) {}' &
  burners+=("$!")
done
echo "busy loops on $(nproc) cores: PIDs ${burners[*]}"
failed_runs=0
for run in $(seq "$runs"); do
  report="test-results/under-load-$run.json"
  started=$(date +%s)
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true npx vitest run --project integration \
    --reporter=dot --reporter=json --outputFile.json="$report" >"test-results/under-load-$run.log" 2>&1
  code=$?
  counts=$(node -e 'const r = require(process.argv[1]); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "./$report" 2>/dev/null || echo "no report")
  echo "run $run: $counts (exit $code, $(( $(date +%s) - started )) s)"
  [ "$code" -ne 0 ] && failed_runs=$((failed_runs + 1))
done
echo "$runs runs under load, $failed_runs with a failure"
[ "$failed_runs" -eq 0 ]
