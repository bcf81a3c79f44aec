#!/bin/sh
# CLI tests of `tlsharness validate`, one case per CTest test:
#   validate_test.sh TLSHARNESS SCENARIOS_DIR CASE
# Each case writes its files, runs the binary, checks the exit status and
# greps its output.
set -u

bin=$1
scenarios=$2
case_name=$3

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
    "$bin" validate "$@" >"$out" 2>"$err"
    status=$?
    [ "$status" -eq "$expected" ] || fail "exit status $status, expected $expected"
}

# expect FILE FIXED_STRING
expect() {
    grep -F -e "$2" "$1" >/dev/null || fail "no '$2' in $(basename "$1")"
}

good() {
    cat >"$1" <<YAML
id: $2
title: T
rfc: {doc: "8446", section: "4.1.2"}
role: client
matrix: {g: [x25519, secp256r1]}
config: {groups: ["\${g}"]}
steps: [{handshake: complete}]
YAML
}

case $case_name in
ok)
    mkdir -p "$tmp/s/sub" "$tmp/s/pki"
    good "$tmp/s/a.yaml" t.a
    good "$tmp/s/sub/b.yml" t.b
    echo "not: [a scenario" >"$tmp/s/pki/ignored.yaml"
    echo "version: 1" >"$tmp/s/expectations.yaml"
    run 0 "$tmp/s"
    expect "$out" "2 scenarios (4 after matrix expansion) in 2 files: ok"
    [ -s "$err" ] && fail "stderr not empty"
    ;;
errors)
    good "$tmp/a.yaml" t.a
    printf 'id: t.b\ntitle: T\nrfc: {doc: 1, section: 2}\nrole: client\nsteps: [{send: clienthello}]\n' >"$tmp/b.yaml"
    run 2 "$tmp/a.yaml" "$tmp/b.yaml"
    expect "$err" "$tmp/b.yaml:5:16: unknown message 'clienthello' to send"
    expect "$err" "1 error"
    [ -s "$out" ] && fail "stdout not empty"
    ;;
duplicate_id)
    good "$tmp/a.yaml" t.same
    good "$tmp/b.yaml" t.same
    run 2 "$tmp"
    expect "$err" "$tmp/b.yaml:1:5: duplicate id 't.same' (already used by the scenario at $tmp/a.yaml:1:1)"
    ;;
missing_path)
    run 2 "$tmp/nope.yaml"
    expect "$err" "nope.yaml: No such file or directory"
    ;;
expect_ok)
    good "$tmp/a.yaml" t.a
    printf 'version: 1\nboringssl:\n  - {id: "t.*", status: xfail, reason: r}\nself: []\n' >"$tmp/e.yaml"
    run 0 --expect "$tmp/e.yaml" "$tmp/a.yaml"
    expect "$out" "1 scenarios (2 after matrix expansion) in 1 files: ok"
    expect "$out" "1 expectations for 2 peers: ok"
    ;;
expect_unmatched)
    good "$tmp/a.yaml" t.a
    printf 'version: 1\nself:\n  - {id: t.gone, status: xfail, reason: r}\n' >"$tmp/e.yaml"
    run 0 --expect "$tmp/e.yaml" "$tmp/a.yaml"
    expect "$err" "$tmp/e.yaml:3:5: warning: 't.gone' (peer self) matches no scenario loaded"
    ;;
expect_errors)
    printf 'version: 1\nboringssl:\n  - {id: t.a, status: alert, reason: r}\n' >"$tmp/e.yaml"
    run 2 --expect "$tmp/e.yaml"
    expect "$err" "$tmp/e.yaml:3:5: missing required key 'alerts'"
    ;;
committed)
    # Every committed scenario (and the expectations file) must validate.
    if [ -f "$scenarios/expectations.yaml" ]; then
        run 0 "$scenarios" --expect "$scenarios/expectations.yaml"
    else
        run 0 "$scenarios"
    fi
    expect "$out" ": ok"
    ;;
help)
    run 0 --help
    expect "$out" "usage: tlsharness validate"
    ;;
usage)
    run 2 --bogus
    expect "$err" "unknown option '--bogus'"
    run 2 --expect
    expect "$err" "--expect needs a file"
    ;;
*)
    echo "unknown case $case_name"
    exit 1
    ;;
esac
exit 0
