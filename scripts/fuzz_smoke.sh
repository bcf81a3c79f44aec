#!/usr/bin/env bash
# Fuzz smoke: builds every libFuzzer target with clang, ASan and UBSan, runs
# each for a bounded time from its committed seeds, and fails on the first
# crash or failed oracle, keeping the input under corpus/regressions/<target>/
# and printing the command that reproduces it.
#
#   scripts/fuzz_smoke.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
shift || true
build=${TH_FUZZ_BUILD:-build-fuzz}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. scripts/fuzz_lib.sh
th_fuzz_build
th_fuzz_targets "$@"

failed=0
printf '%-28s %10s %9s %6s %6s %6s %s\n' target execs exec/s cov ft corpus result
for t in "${targets[@]}"; do
    "$build/tlsharness" targets --dict "$t" >"$work/$t.dict"
    max_len=$("$build/tlsharness" targets --options "$t" | awk '/max_len/ {print $3}')
    mkdir -p "$work/corpus-$t" "$work/crash-$t"
    # Seeds are read from the committed corpus and never modified.
    seeds=()
    [ -d "corpus/$t" ] && seeds+=("corpus/$t")
    [ -d "corpus/regressions/$t" ] && seeds+=("corpus/regressions/$t")
    set +e
    "$build/fuzz_$t" -max_total_time="$secs" -max_len="$max_len" -dict="$work/$t.dict" \
        -artifact_prefix="$work/crash-$t/" -print_final_stats=1 \
        "$work/corpus-$t" "${seeds[@]}" >"$work/$t.log" 2>&1
    rc=$?
    set -e
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$work/$t.log")
    speed=$(awk '/stat::average_exec_per_sec/ {print $2}' "$work/$t.log")
    cov=$(grep -oE 'cov: [0-9]+' "$work/$t.log" | tail -1 | awk '{print $2}')
    ft=$(grep -oE 'ft: [0-9]+' "$work/$t.log" | tail -1 | awk '{print $2}')
    units=$(grep -oE 'corp: [0-9]+' "$work/$t.log" | tail -1 | awk '{print $2}')
    row() { printf '%-28s %10s %9s %6s %6s %6s %s\n' "$t" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${units:-?}" "$1"; }
    crash=$(ls "$work/crash-$t" 2>/dev/null | head -1 || true)
    if [ $rc -ne 0 ] || [ -n "$crash" ]; then
        failed=$((failed + 1))
        row FAIL
        grep -E 'oracle failed|ERROR: |runtime error|SUMMARY' "$work/$t.log" | head -5 | sed 's/^/    /'
        if [ -n "$crash" ]; then
            mkdir -p "corpus/regressions/$t"
            sha=$(sha1sum "$work/crash-$t/$crash" | cut -c1-16)
            kept="corpus/regressions/$t/${crash%%-*}-$sha"
            cp "$work/crash-$t/$crash" "$kept"
            echo "    input kept: $kept"
            echo "    reproduce:  build/tlsharness replay --target $t $kept"
            echo "                $build/fuzz_$t $kept"
        fi
    else
        row ok
    fi
done
echo "fuzz smoke: ${#targets[@]} targets, $failed failed, ${secs}s each"
[ "$failed" -eq 0 ]
