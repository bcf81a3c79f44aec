#!/usr/bin/env bash
# Grows the committed seed corpora with what fuzzing finds: runs each target
# for a while from corpus/<target>/, then merges back only the inputs that add
# coverage (libFuzzer -merge=1), so corpus/<target>/ also holds the rejected
# inputs that reach the error paths. File names stay SHA-1 of the content.
#
#   scripts/fuzz_grow_seeds.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
shift || true
build=${TH_FUZZ_BUILD:-build-fuzz}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. scripts/fuzz_lib.sh
th_fuzz_build
th_fuzz_targets "$@"
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "$work/$t"
    "$build/tlsharness" targets --dict "$t" >"$work/$t.dict"
    max_len=$("$build/tlsharness" targets --options "$t" | awk '/max_len/ {print $3}')
    before=$(ls "corpus/$t" | wc -l)
    "$build/fuzz_$t" -max_total_time="$secs" -max_len="$max_len" -dict="$work/$t.dict" \
        "$work/$t" "corpus/$t" >"$work/$t.log" 2>&1 || { echo "$t: fuzzing failed"; tail -5 "$work/$t.log"; exit 1; }
    "$build/fuzz_$t" -merge=1 -max_len="$max_len" "corpus/$t" "$work/$t" >"$work/$t.merge" 2>&1
    echo "$t: $before -> $(ls "corpus/$t" | wc -l) seeds"
done
