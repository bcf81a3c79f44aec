#!/usr/bin/env bash
# Fuzzing benchmark: every target for 10 s from its committed seeds under
# libFuzzer with ASan + UBSan, printed as a table (executions, exec/s,
# coverage, features, corpus units), checked against the goals (10,000 exec/s
# for single-message targets, 5,000 for record_stream), then line coverage of
# harness/tls/wire/ from the committed seeds alone. A measurement, not a test.
#
#   scripts/fuzz_bench.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "# fuzz benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), ${secs}s per target"
scripts/fuzz_smoke.sh "$secs" | tee "$out"
awk '$NF == "ok" || $NF == "FAIL" {
        goal = ($1 == "record_stream") ? 5000 : 10000
        if ($3 + 0 < goal) { slow++; print "below goal: " $1 " " $3 " exec/s (goal " goal ")" }
        n++
     }
     END { printf "%d targets, %d below their exec/s goal\n", n, slow }' "$out"
echo
echo "# line coverage of the codec from the committed seeds alone"
scripts/fuzz_coverage.sh corpus
