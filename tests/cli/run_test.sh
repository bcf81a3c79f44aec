#!/bin/sh
# CLI tests of `tlsharness run`, one case per CTest test:
#   run_test.sh TLSHARNESS FIXTURES_DIR REPORT_VERDICTS CASE
# Each case runs scenarios from tests/cli/run_fixtures (or the whole suite),
# checks the exit status, the verdicts in the JSON report and the files.
set -u

bin=$1
fixtures=$2
verdicts=$3
case_name=$4

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
err=$tmp/err

fail() {
    echo "FAIL ($case_name): $*"
    echo "--- stdout"
    cat "$out"
    echo "--- stderr"
    cat "$err"
    exit 1
}

# run EXPECTED_STATUS ARGS...
run() {
    expected=$1
    shift
    "$bin" run --quiet "$@" >"$out" 2>"$err"
    status=$?
    [ "$status" -eq "$expected" ] || fail "exit status $status, expected $expected"
}

expect() {
    grep -F -e "$2" "$1" >/dev/null || fail "no '$2' in $(basename "$1")"
}

# verdict REPORT_DIR "ID PEER VERDICT"
verdict() {
    "$verdicts" "$1/report.json" >"$tmp/verdicts" || fail "report.json unreadable"
    grep -x -F -e "$2" "$tmp/verdicts" >/dev/null || {
        cat "$tmp/verdicts"
        fail "no result '$2'"
    }
}

count_results() {
    "$verdicts" "$1/report.json" | grep -c -v '^schema '
}

case $case_name in
pass)
    run 0 "$fixtures/pass.yaml" --report "$tmp/r"
    verdict "$tmp/r" "fixture.pass.handshake_echo boringssl pass"
    verdict "$tmp/r" "fixture.pass.handshake_echo self pass"
    verdict "$tmp/r" "schema 1"
    for f in report.json junit.xml report.md report.html; do
        [ -s "$tmp/r/$f" ] || fail "no $f"
    done
    if command -v xmllint >/dev/null; then
        xmllint --noout "$tmp/r/junit.xml" 2>"$err" || fail "junit.xml is not well-formed XML"
    fi
    expect "$out" "2 pass"
    expect "$out" "reports in $tmp/r/report.html"
    ;;
fail)
    # A scenario designed to fail must be reported as failed, with the
    # first mismatch, a transcript and a key log.
    run 1 "$fixtures/fail.yaml" --report "$tmp/r"
    verdict "$tmp/r" "fixture.fail.wrong_alert boringssl fail"
    verdict "$tmp/r" "fixture.fail.wrong_alert self fail"
    expect "$out" "decode_error"
    expect "$out" "missing_extension"
    verdict "$tmp/r" "fixture.fail.wrong_echo boringssl fail"
    verdict "$tmp/r" "fixture.fail.wrong_echo self fail"
    expect "$out" "4 fail"
    expect "$tmp/r/transcripts/fixture.fail.wrong_alert-self.txt" "client_hello"
    expect "$tmp/r/transcripts/fixture.fail.wrong_echo-boringssl.keylog" \
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET "
    expect "$tmp/r/transcripts/fixture.fail.wrong_echo-self.keylog" "CLIENT_TRAFFIC_SECRET_0 "
    expect "$tmp/r/report.md" "fixture.fail.wrong\\_alert"
    ;;
xfail)
    # The expectations file turns the recorded divergences into xfail:
    # boringssl by status xfail, self by the alternative alert it sends.
    run 0 "$fixtures/fail.yaml" --filter 'fixture.fail.wrong_alert' --expect "$fixtures/xfail.yaml" \
        --report "$tmp/r"
    verdict "$tmp/r" "fixture.fail.wrong_alert boringssl xfail"
    verdict "$tmp/r" "fixture.fail.wrong_alert self xfail"
    ;;
xpass)
    # A recorded divergence that no longer happens is an xpass, a failure.
    run 1 "$fixtures/pass.yaml" --expect "$fixtures/xpass.yaml" --report "$tmp/r"
    verdict "$tmp/r" "fixture.pass.handshake_echo self xpass"
    verdict "$tmp/r" "fixture.pass.handshake_echo boringssl skip"
    expect "$out" "xpass"
    ;;
matrix)
    run 0 "$fixtures/matrix.yaml" --report "$tmp/r" -j 2
    for s in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256; do
        verdict "$tmp/r" "fixture.matrix.suites[suite=$s] boringssl pass"
        verdict "$tmp/r" "fixture.matrix.suites[suite=$s] self pass"
    done
    [ "$(count_results "$tmp/r")" -eq 6 ] || fail "not 6 results"
    ;;
filter)
    run 0 "$fixtures/pass.yaml" "$fixtures/matrix.yaml" "$fixtures/fail.yaml" \
        --filter 'fixture.matrix.*CHACHA*' --peer self --report "$tmp/r"
    [ "$(count_results "$tmp/r")" -eq 1 ] || fail "the filter kept more than one result"
    run 2 "$fixtures/pass.yaml" --filter 'no.such.*'
    expect "$err" "matches no scenario"
    ;;
determinism)
    # Our endpoint and self draw randomness from --seed (and Ed25519 signs
    # deterministically): two runs give the same transcript and key log.
    f=fixture.determinism.ed25519-self
    for d in a b c; do
        seed=7
        [ $d = c ] && seed=8
        run 1 "$fixtures/determinism.yaml" --peer self --seed $seed --report "$tmp/$d"
    done
    for ext in txt keylog; do
        [ -s "$tmp/a/transcripts/$f.$ext" ] || fail "no $f.$ext"
        cmp -s "$tmp/a/transcripts/$f.$ext" "$tmp/b/transcripts/$f.$ext" ||
            fail "$f.$ext differs between two runs with --seed 7"
        cmp -s "$tmp/a/transcripts/$f.$ext" "$tmp/c/transcripts/$f.$ext" &&
            fail "$f.$ext is the same with seeds 7 and 8"
    done
    ;;
network)
    # Our own CLI server as a tcp: peer: a client-role scenario runs over
    # TCP; a scenario that needs the peer configured (`peer:`) and one that
    # needs a client peer are skipped, not failed.
    port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
    "$bin" server --port "$port" --cert "$fixtures/../../../scenarios/pki/server-ed25519-chain.pem" \
        --key "$fixtures/../../../scenarios/pki/server-ed25519.key" --echo --max-connections 4 \
        >"$tmp/server.log" 2>&1 &
    server=$!
    for i in $(seq 1 100); do
        grep -q "listening" "$tmp/server.log" 2>/dev/null && break
        sleep 0.1
    done
    cat >"$tmp/server_role.yaml" <<'YAML'
id: fixture.network.server_role
title: We script the server
rfc: {doc: "8446", section: "2", quote: "x"}
role: server
steps:
  - handshake: complete
YAML
    run 0 "$fixtures/pass.yaml" "$fixtures/determinism.yaml" "$tmp/server_role.yaml" \
        --peer "tcp:127.0.0.1:$port" -j 1 --report "$tmp/r"
    kill "$server" 2>/dev/null
    verdict "$tmp/r" "fixture.pass.handshake_echo tcp:127.0.0.1:$port pass"
    verdict "$tmp/r" "fixture.determinism.ed25519 tcp:127.0.0.1:$port skip"
    verdict "$tmp/r" "fixture.network.server_role tcp:127.0.0.1:$port skip"
    ;;
bad_input)
    run 2 "$fixtures/bad.yaml"
    expect "$err" "bad.yaml:7:"
    expect "$err" "no_such_extension"
    run 2 "$fixtures/pass.yaml" --expect "$fixtures/bad.yaml"
    run 2 "$tmp/missing.yaml"
    ;;
usage)
    run 0 --help
    expect "$out" "usage: tlsharness run"
    run 2 --frobnicate
    expect "$err" "--frobnicate"
    run 2 --peer nosuchpeer "$fixtures/pass.yaml"
    expect "$err" "nosuchpeer"
    run 2 --format xml "$fixtures/pass.yaml"
    expect "$err" "xml"
    run 2 -j
    run 2 --seed abc
    expect "$err" "--seed"
    run 2 --expect "$fixtures/xfail.yaml" --no-expect "$fixtures/pass.yaml"
    ;;
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
exit 0
