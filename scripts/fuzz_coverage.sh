#!/usr/bin/env bash
# Source-based coverage of the TLS stack reached by the fuzz targets from a
# corpus (default: the committed seeds): builds with clang's
# -fprofile-instr-generate -fcoverage-mapping, runs every target over its
# corpus once, prints line coverage per file of harness/tls/wire/ (the
# codec) and writes an HTML report of harness/tls/.
#
#   scripts/fuzz_coverage.sh [CORPUS_ROOT]     (default corpus/)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-corpus}
build=build-coverage
report=$build/html
prof=$build/profiles
llvm_profdata=$(command -v llvm-profdata-14 || command -v llvm-profdata)
llvm_cov=$(command -v llvm-cov-14 || command -v llvm-cov)

CC=clang cmake -S . -B "$build" -DTH_FUZZ=ON -DTH_FUZZ_INSTRUMENT=OFF -DTH_SANITIZE=OFF \
    -DTH_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS="-fprofile-instr-generate -fcoverage-mapping" >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
rm -rf "$prof" && mkdir -p "$prof"

objects=()
for t in $("$build/tlsharness" targets | awk '{print $1}'); do
    objects+=(-object "$build/fuzz_$t")
    dirs=()
    [ -d "$corpus/$t" ] && dirs+=("$corpus/$t")
    [ -d "$corpus/regressions/$t" ] && dirs+=("$corpus/regressions/$t")
    [ ${#dirs[@]} -gt 0 ] || continue
    LLVM_PROFILE_FILE="$prof/$t.profraw" "$build/fuzz_$t" -runs=0 "${dirs[@]}" >/dev/null 2>&1
done
"$llvm_profdata" merge -sparse "$prof"/*.profraw -o "$build/all.profdata"
# The first -object is the main binary for llvm-cov; the rest add their maps.
main_obj=${objects[1]}
extra=("${objects[@]:2}")
printf '%-40s %7s %7s %8s\n' file lines missed covered
"$llvm_cov" report "$main_obj" "${extra[@]}" -instr-profile="$build/all.profdata" \
    "$PWD/harness/tls/wire/" | sed "s|$PWD/harness/tls/wire/||" |
    awk '$1 ~ /\.c$/ || $1 == "TOTAL" { printf "%-40s %7s %7s %8s\n", ($1 == "TOTAL" ? "TOTAL harness/tls/wire/" : $1), $8, $9, $10 }'
"$llvm_cov" show "$main_obj" "${extra[@]}" -instr-profile="$build/all.profdata" \
    -format=html -output-dir="$report" "$PWD/harness/tls/" >/dev/null
echo "HTML report: $report/index.html"
