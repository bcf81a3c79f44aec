#!/usr/bin/env bash
# Proves the fuzzing pipeline works: builds with -DTH_FUZZ_CANARY=ON (a planted
# out-of-bounds read in the record parser behind a rare input), runs the record
# fuzzer from the committed seeds until it finds the bug (bounded time), then
# checks `tlsharness replay` reproduces it in the canary build and that the
# same input is harmless in a normal build.
#
#   scripts/fuzz_canary.sh [MAX_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-300}
build=build-canary
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

CC=clang cmake -S . -B "$build" -DTH_FUZZ=ON -DTH_FUZZ_CANARY=ON -DTH_SANITIZE=ON \
    -DTH_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target fuzz_record tlsharness >/dev/null
"$build/tlsharness" targets --dict record >"$work/record.dict"
mkdir -p "$work/corpus"
seeds=()
[ -d corpus/record ] && seeds+=(corpus/record)

start=$(date +%s)
set +e
"$build/fuzz_record" -max_total_time="$limit" -dict="$work/record.dict" -max_len=64 \
    -artifact_prefix="$work/" "$work/corpus" "${seeds[@]}" >"$work/log" 2>&1
set -e
elapsed=$(( $(date +%s) - start ))
crash=$(ls "$work"/crash-* 2>/dev/null | head -1 || true)
if [ -z "$crash" ]; then
    echo "canary: NOT found in ${limit}s: the fuzzing pipeline is broken"
    tail -5 "$work/log"
    exit 1
fi
echo "canary: found in ${elapsed}s ($(grep -m1 -oE 'heap-buffer-overflow|stack-buffer-overflow' "$work/log" || echo crash))"
echo "canary: input $(od -An -tx1 "$crash" | tr -s ' ' | head -c 80)"

set +e
"$build/tlsharness" replay --target record "$crash" >"$work/replay" 2>&1
rc=$?
set -e
cat "$work/replay"
if [ $rc -ne 1 ] || ! grep -q '^FAIL' "$work/replay"; then
    echo "canary: replay in the canary build did not reproduce the crash (exit $rc)"
    exit 1
fi
echo "canary: replay reproduces it"
if [ -x build/tlsharness ]; then
    build/tlsharness replay --target record "$crash"
    echo "canary: a normal build handles the same input without a crash (the canary never ships)"
fi
