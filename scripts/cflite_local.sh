#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh here, against the Debian packages, with the
# variables OSS-Fuzz sets, then runs every produced fuzzer over its seed zip
# (no fuzzing: -runs=0 executes each seed once). Fails if a target, its
# dictionary, options or seed zip is missing, or a seed fails an oracle.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-$PWD/build-cflite/out}
rm -rf "$out"
mkdir -p "$out"
export OUT=$out SRC=${SRC:-/nonexistent-src} WORK=$PWD/build-cflite/work
export CC=clang CXX=clang++
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,undefined -fsanitize=fuzzer-no-link"
export CXXFLAGS=$CFLAGS
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
mkdir -p "$WORK"
bash .clusterfuzzlite/build.sh >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0 seeds=0
for bin in "$out"/fuzz_*; do
    case "$bin" in *.dict|*.options|*.zip) continue ;; esac
    t=${bin##*/}
    n=$((n + 1))
    for f in "$bin.dict" "$bin.options"; do
        [ -s "$f" ] || { echo "missing $f"; bad=$((bad + 1)); }
    done
    if [ ! -f "${bin}_seed_corpus.zip" ]; then
        echo "$t: no seed corpus zip"
        bad=$((bad + 1))
        continue
    fi
    rm -rf "$tmp/seeds" && mkdir "$tmp/seeds"
    unzip -q "${bin}_seed_corpus.zip" -d "$tmp/seeds"
    count=$(ls "$tmp/seeds" | wc -l)
    seeds=$((seeds + count))
    if ! "$bin" -runs=0 "$tmp/seeds" >"$tmp/log" 2>&1; then
        echo "$t: a seed failed"
        grep -E 'oracle failed|ERROR:|runtime error' "$tmp/log" | head -3
        bad=$((bad + 1))
    fi
done
echo "cflite local: $n fuzzers built by build.sh, $seeds seeds run, $bad problems"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
