#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: honours $CC $CXX $CFLAGS $CXXFLAGS
# $LIB_FUZZING_ENGINE $SRC $OUT and writes, per target, fuzz_<name>,
# fuzz_<name>.dict, fuzz_<name>.options and fuzz_<name>_seed_corpus.zip into
# $OUT. With $SRC/boringssl and $SRC/libyaml present (the Docker image) they
# are built from source with the same flags; otherwise (scripts/cflite_local.sh
# on Debian) the system packages are used.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src_root=${TH_SRC:-$here}
work=${WORK:-$(mktemp -d)}
cmake_args=()

if [ -d "$SRC/boringssl" ]; then
    cmake -S "$SRC/boringssl" -B "$work/boringssl" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
        -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS"
    ninja -C "$work/boringssl" crypto ssl
    mkdir -p "$work/bssl/lib"
    ln -sf "$SRC/boringssl/include" "$work/bssl/include"
    cp "$work/boringssl/libcrypto.a" "$work/boringssl/libssl.a" "$work/bssl/lib/"
    cmake_args+=("-DBORINGSSL_ROOT=$work/bssl")
fi
if [ -d "$SRC/libyaml" ]; then
    cmake -S "$SRC/libyaml" -B "$work/libyaml" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" -DBUILD_SHARED_LIBS=OFF \
        -DCMAKE_INSTALL_PREFIX="$work/yaml-install"
    cmake --build "$work/libyaml" --target install -j "$(nproc)"
    export PKG_CONFIG_PATH="$work/yaml-install/lib/pkgconfig:${PKG_CONFIG_PATH:-}"
fi

# Sanitizer and coverage flags come from $CFLAGS; the engine from
# $LIB_FUZZING_ENGINE.
cmake -S "$src_root" -B "$work/th" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
    -DTH_FUZZ=ON -DTH_FUZZ_INSTRUMENT=OFF -DTH_SANITIZE=OFF -DTH_TESTS=OFF \
    -DTH_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" "${cmake_args[@]}"
cmake --build "$work/th" -j "$(nproc)"

th="$work/th/tlsharness"
# The registry's targets, plus the whole-handshake fuzzers that exist only in
# libFuzzer builds (TH_FUZZING_UNSAFE; `targets --dict` knows their names).
unsafe=""
for t in handshake_client handshake_server; do
    [ -x "$work/th/fuzz_$t" ] && unsafe="$unsafe $t"
done
for t in $("$th" targets | awk '{print $1}') $unsafe; do
    cp "$work/th/fuzz_$t" "$OUT/fuzz_$t"
    "$th" targets --dict "$t" >"$OUT/fuzz_$t.dict"
    "$th" targets --options "$t" | sed "s/^dict = .*/dict = fuzz_$t.dict/" >"$OUT/fuzz_$t.options"
    rm -f "$OUT/fuzz_${t}_seed_corpus.zip"
    dirs=()
    [ -d "$src_root/corpus/$t" ] && dirs+=("$src_root/corpus/$t")
    [ -d "$src_root/corpus/regressions/$t" ] && dirs+=("$src_root/corpus/regressions/$t")
    if [ ${#dirs[@]} -gt 0 ]; then
        find "${dirs[@]}" -type f ! -name '.*' -print0 |
            xargs -0 zip -q -j "$OUT/fuzz_${t}_seed_corpus.zip"
    fi
done
