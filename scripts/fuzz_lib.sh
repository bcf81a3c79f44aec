# Sourced by the fuzz scripts: the libFuzzer build (clang, ASan + UBSan) in
# $build and the target list. Expects to run from the repository root.

# th_fuzz_build [extra cmake args...]: configures and builds $build.
th_fuzz_build() {
    CC=clang cmake -S . -B "$build" -DTH_FUZZ=ON -DTH_SANITIZE=ON -DTH_TESTS=OFF \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$build" -j "$(nproc)" >/dev/null
}

# th_fuzz_targets NAME...: sets the array `targets` to the names given, or to
# every registered target plus the libFuzzer-only handshake_client and
# handshake_server (engine built with TH_FUZZING_UNSAFE, not in the registry)
# when their binaries exist.
th_fuzz_targets() {
    targets=("$@")
    if [ ${#targets[@]} -eq 0 ]; then
        mapfile -t targets < <("$build/tlsharness" targets | awk '{print $1}')
        for t in handshake_client handshake_server; do
            if [ -x "$build/fuzz_$t" ]; then
                targets+=("$t")
            fi
        done
    fi
}
